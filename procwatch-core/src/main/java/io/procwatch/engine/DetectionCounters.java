package io.procwatch.engine;

import io.procwatch.read.Origin;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The one set of counters of a run, batch or live: what came in (records, process events, other events,
 * rejections, inputs), what the session did (processed, late, matches, notables, risk events, throttled) and what
 * the sinks did (listener errors). {@code scan}'s {@link ScanStats} and the engine's {@link EngineMetrics} are
 * snapshots of it, so both count the same things the same way; the accounting
 * {@code received == processEvents + other + rejected} holds for both.
 *
 * <p>Thread-safe: reader, submitting and session threads count into it concurrently.
 */
public final class DetectionCounters {

    /** How many rejections and problem inputs are kept with their origin. */
    public static final int SAMPLES = 100;

    final AtomicLong received = new AtomicLong();
    final AtomicLong processEvents = new AtomicLong();
    final AtomicLong other = new AtomicLong();
    final AtomicLong rejected = new AtomicLong();
    final AtomicLong inputs = new AtomicLong();
    final AtomicLong failedInputs = new AtomicLong();
    final AtomicLong skippedInputs = new AtomicLong();
    final AtomicLong outsideTimeRange = new AtomicLong();
    final AtomicLong firstEventTime = new AtomicLong(Long.MAX_VALUE);
    final AtomicLong lastEventTime = new AtomicLong(Long.MIN_VALUE);
    final AtomicLong queued = new AtomicLong();
    final AtomicLong refused = new AtomicLong();
    final AtomicLong processed = new AtomicLong();
    final AtomicLong notables = new AtomicLong();
    final AtomicLong riskEvents = new AtomicLong();
    final AtomicLong listenerErrors = new AtomicLong();
    final AtomicLong reloads = new AtomicLong();
    final AtomicLong reloadFailures = new AtomicLong();
    final AtomicLong sessionFailures = new AtomicLong();

    // Guarded by this: maps and samples, written rarely (per rejection, per notable).
    private final Map<String, Long> rejectedByReason = new TreeMap<>();
    private final List<ScanStats.Problem> rejections = new ArrayList<>();
    private final List<ScanStats.Problem> failedInputSamples = new ArrayList<>();
    private final List<ScanStats.Problem> skippedInputSamples = new ArrayList<>();
    private final Map<String, Long> notablesByRule = new TreeMap<>();

    /** Session figures published by the session thread after each step (see {@link SessionDriver}). */
    volatile SessionFigures session = SessionFigures.NONE;

    /** What the session thread last saw of its session(s): gauges and counts that the session keeps itself. */
    record SessionFigures(long late, List<Origin> lateSamples, long openGroups, long watermark,
                          Map<String, Long> matches, Map<String, Long> suppressed, Map<String, Long> throttled,
                          long incidents) {
        static final SessionFigures NONE = new SessionFigures(0, List.of(), 0, Long.MIN_VALUE, Map.of(), Map.of(),
                Map.of(), 0);
    }

    /** Records read: process events (whether or not in the scan's time range) and other events. */
    void received(long processEvents, long otherEvents) {
        received.addAndGet(processEvents + otherEvents);
        this.processEvents.addAndGet(processEvents);
        other.addAndGet(otherEvents);
    }

    /** A record that could not be used, with where it was and why. */
    void reject(Origin origin, String reason) {
        received.incrementAndGet();
        rejected.incrementAndGet();
        synchronized (this) {
            rejectedByReason.merge(reasonClass(reason), 1L, Long::sum);
            if (rejections.size() < SAMPLES) {
                rejections.add(new ScanStats.Problem(String.valueOf(origin), reason));
            }
        }
    }

    /** Records rejected elsewhere whose reasons are not known here (a submission's batch totals). */
    void rejected(long n) {
        received.addAndGet(n);
        rejected.addAndGet(n);
    }

    void inputStarted() {
        inputs.incrementAndGet();
    }

    synchronized void inputFailed(String source, String reason) {
        failedInputs.incrementAndGet();
        if (failedInputSamples.size() < SAMPLES) {
            failedInputSamples.add(new ScanStats.Problem(source, reason));
        }
    }

    synchronized void inputSkipped(String source, String reason) {
        skippedInputs.incrementAndGet();
        if (skippedInputSamples.size() < SAMPLES) {
            skippedInputSamples.add(new ScanStats.Problem(source, reason));
        }
    }

    /** A notable handed to the sink. */
    void notable(String ruleId) {
        notables.incrementAndGet();
        synchronized (this) {
            notablesByRule.merge(ruleId, 1L, Long::sum);
        }
    }

    synchronized Map<String, Long> rejectedByReason() {
        return new TreeMap<>(rejectedByReason);
    }

    synchronized List<ScanStats.Problem> rejections() {
        return List.copyOf(rejections);
    }

    synchronized List<ScanStats.Problem> failedInputSamples() {
        return List.copyOf(failedInputSamples);
    }

    synchronized List<ScanStats.Problem> skippedInputSamples() {
        return List.copyOf(skippedInputSamples);
    }

    synchronized Map<String, Long> notablesByRule() {
        return new TreeMap<>(notablesByRule);
    }

    /** The counters a checkpoint carries (a restored service goes on counting from them). */
    synchronized Map<String, Long> toCheckpoint() {
        Map<String, Long> c = new TreeMap<>();
        c.put("received", received.get());
        c.put("processed", processed.get());
        c.put("rejected", rejected.get());
        c.put("other", other.get());
        c.put("notables", notables.get());
        c.put("risk_events", riskEvents.get());
        notablesByRule.forEach((id, n) -> c.put("notables:" + id, n));
        return c;
    }

    /** Continues from a checkpoint's counters ({@link #toCheckpoint}). */
    synchronized void restore(Map<String, Long> c) {
        received.set(c.getOrDefault("received", 0L));
        processed.set(c.getOrDefault("processed", 0L));
        processEvents.set(processed.get());
        queued.set(processed.get());
        rejected.set(c.getOrDefault("rejected", 0L));
        other.set(c.getOrDefault("other", 0L));
        notables.set(c.getOrDefault("notables", 0L));
        riskEvents.set(c.getOrDefault("risk_events", 0L));
        c.forEach((k, v) -> {
            if (k.startsWith("notables:")) {
                notablesByRule.put(k.substring("notables:".length()), v);
            }
        });
    }

    /** The reason without its particulars, so counts group: "malformed event XML: …" → "malformed event XML". */
    static String reasonClass(String reason) {
        int cut = reason.length();
        for (char c : new char[]{':', '(', '\''}) {
            int i = reason.indexOf(c);
            if (i > 0) {
                cut = Math.min(cut, i);
            }
        }
        return reason.substring(0, cut).strip();
    }
}
