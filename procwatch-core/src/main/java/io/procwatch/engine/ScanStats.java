package io.procwatch.engine;

import io.procwatch.read.Origin;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a scan saw, for the summary and {@code --stats}: a snapshot of the run's {@link DetectionCounters} (the same
 * counters a live engine keeps) taken when the scan ended, with the rule titles and the time taken. The
 * accounting holds by construction: {@code events == processEvents + otherEvents + rejected}. Immutable.
 */
public final class ScanStats {

    /** How many rejections and problem inputs are kept with their origin. */
    public static final int SAMPLES = DetectionCounters.SAMPLES;

    /** One rejected record or failed input, with where it was. */
    public record Problem(String where, String reason) {
        @Override
        public String toString() {
            return where + ": " + reason;
        }
    }

    private final long inputs;
    private final long events;
    private final long processEvents;
    private final long otherEvents;
    private final long rejected;
    private final Map<String, Long> rejectedByReason;
    private final List<Problem> rejections;
    private final List<Problem> failedInputs;
    private final List<Problem> skippedInputs;
    private final long skippedInputCount;
    private final long failedInputCount;
    private final long late;
    private final List<Origin> lateSamples;
    private final Map<String, Long> matches;
    private final Map<String, Long> suppressed;
    private final Map<String, Long> throttled;
    private final long riskEvents;
    private final long incidents;
    private final Map<String, Long> notables;
    private final Map<String, String> titles;
    private final long notableTotal;
    private final double seconds;
    private final long readerCpuNanos;
    private final long sessionCpuNanos;
    private final long outsideTimeRange;
    private final long firstEventTime;
    private final long lastEventTime;

    /**
     * @param c          the run's counters, read now
     * @param titles     detection and incident rule id → title; every detection is listed among the notables
     * @param seconds    wall time of the run
     * @param readerCpu  CPU time of the reading thread(s)
     * @param sessionCpu CPU time of the session thread
     */
    ScanStats(DetectionCounters c, Map<String, String> titles, Collection<String> detectionIds, double seconds,
              long readerCpu, long sessionCpu) {
        DetectionCounters.SessionFigures f = c.session;
        this.inputs = c.inputs.get();
        this.events = c.received.get();
        this.processEvents = c.processEvents.get();
        this.otherEvents = c.other.get();
        this.rejected = c.rejected.get();
        this.rejectedByReason = Collections.unmodifiableMap(c.rejectedByReason());
        this.rejections = c.rejections();
        this.failedInputs = c.failedInputSamples();
        this.skippedInputs = c.skippedInputSamples();
        this.skippedInputCount = c.skippedInputs.get();
        this.failedInputCount = c.failedInputs.get();
        this.late = f.late();
        this.lateSamples = f.lateSamples();
        this.matches = f.matches();
        this.suppressed = f.suppressed();
        this.throttled = f.throttled();
        this.riskEvents = c.riskEvents.get();
        this.incidents = f.incidents();
        Map<String, Long> byRule = c.notablesByRule();
        for (String id : detectionIds) {
            byRule.putIfAbsent(id, 0L);
        }
        this.notables = Collections.unmodifiableMap(byRule);
        this.titles = Collections.unmodifiableMap(new LinkedHashMap<>(titles));
        this.notableTotal = c.notables.get();
        this.seconds = seconds;
        this.readerCpuNanos = readerCpu;
        this.sessionCpuNanos = sessionCpu;
        this.outsideTimeRange = c.outsideTimeRange.get();
        this.firstEventTime = c.firstEventTime.get();
        this.lastEventTime = c.lastEventTime.get();
        if (events != processEvents + otherEvents + rejected) {
            throw new IllegalStateException("event accounting broken: " + events + " read != " + processEvents
                    + " process + " + otherEvents + " other + " + rejected + " rejected");
        }
    }

    /** Process events read but outside the scan's event time range, so not given to the rules. */
    public long outsideTimeRange() {
        return outsideTimeRange;
    }

    /** The earliest process event time scanned (epoch ms UTC), or {@code Long.MAX_VALUE} when there was none. */
    public long firstEventTime() {
        return firstEventTime;
    }

    /** The latest process event time scanned (epoch ms UTC), or {@code Long.MIN_VALUE} when there was none. */
    public long lastEventTime() {
        return lastEventTime;
    }

    public long inputs() {
        return inputs;
    }

    public long events() {
        return events;
    }

    public long processEvents() {
        return processEvents;
    }

    public long otherEvents() {
        return otherEvents;
    }

    public long rejected() {
        return rejected;
    }

    public Map<String, Long> rejectedByReason() {
        return rejectedByReason;
    }

    public List<Problem> rejections() {
        return rejections;
    }

    public List<Problem> failedInputs() {
        return failedInputs;
    }

    public List<Problem> skippedInputs() {
        return skippedInputs;
    }

    /** Inputs that could not be read (missing, unreadable, not event data when named explicitly). */
    public long failedInputCount() {
        return failedInputCount;
    }

    public long skippedInputCount() {
        return skippedInputCount;
    }

    public long late() {
        return late;
    }

    public List<Origin> lateSamples() {
        return lateSamples;
    }

    /** Matches per detection id, before filters. */
    public Map<String, Long> matches() {
        return matches;
    }

    /** Matches removed by filter rules, per detection id. */
    public Map<String, Long> suppressed() {
        return suppressed;
    }

    /** Results throttled (no notable; their risk events counted) per detection id. */
    public Map<String, Long> throttled() {
        return throttled;
    }

    /** Risk events published. */
    public long riskEvents() {
        return riskEvents;
    }

    /** Risk incidents raised (also counted among the notables). */
    public long incidents() {
        return incidents;
    }

    /** Notables per detection id. */
    public Map<String, Long> notables() {
        return notables;
    }

    /** Detection id → title. */
    public Map<String, String> titles() {
        return titles;
    }

    public long notableTotal() {
        return notableTotal;
    }

    public long matchTotal() {
        return matches.values().stream().mapToLong(Long::longValue).sum();
    }

    public double seconds() {
        return seconds;
    }

    /** CPU time of the reader thread (read and normalize), for finding the bottleneck stage. */
    public long readerCpuNanos() {
        return readerCpuNanos;
    }

    /** CPU time of the session thread (Drools detections, aggregation, writing). */
    public long sessionCpuNanos() {
        return sessionCpuNanos;
    }
}
