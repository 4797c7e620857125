package io.procwatch.engine;

import io.procwatch.aggregate.Notable;
import io.procwatch.aggregate.NotableGroup;
import io.procwatch.normalize.ProcessEvent;
import io.procwatch.risk.RiskEventListener;
import io.procwatch.risk.RiskEventRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The one session driver behind {@code scan} ({@link ScanPipeline}) and the live engine ({@link ProcwatchEngine}):
 * inserts events into a {@link DetectionSession}, fires it, and hands what closed to the one notable sink
 * ({@link NotableListener}) and the risk event listener, risk events first; everything is counted in the run's
 * {@link DetectionCounters}. A reload or a recovery {@linkplain #replace replaces} the session and carries its
 * counts on.
 *
 * <p>Not thread-safe: the thread that owns the session calls it.
 */
final class SessionDriver implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SessionDriver.class);

    /** What a failing sink does to the run. */
    enum SinkFailure {
        /** A batch scan: a sink that throws (a write failed: {@code UncheckedIOException}) ends the run. */
        END_RUN,
        /** A service: logged and counted ({@link EngineMetrics#listenerErrors()}); the engine goes on. */
        COUNT_AND_GO_ON
    }

    private final DetectionCounters counters;
    private final NotableListener notables;
    private final RiskEventListener risk;
    private final SinkFailure onSinkFailure;
    private DetectionSession session;
    /** Counts of sessions replaced by reloads and recoveries, so totals span them. */
    private final Map<String, Long> matchesBefore = new TreeMap<>();
    private final Map<String, Long> suppressedBefore = new TreeMap<>();
    private final Map<String, Long> throttledBefore = new TreeMap<>();
    private long incidentsBefore;

    SessionDriver(DetectionSession session, DetectionCounters counters, NotableListener notables,
                  RiskEventListener risk, SinkFailure onSinkFailure) {
        this.session = session;
        this.counters = counters;
        this.notables = notables;
        this.risk = risk;
        this.onSinkFailure = onSinkFailure;
    }

    DetectionSession session() {
        return session;
    }

    /** Inserts one event; a rule that throws on it is logged (service) or ends the run (scan). */
    void insert(ProcessEvent e) {
        if (onSinkFailure == SinkFailure.END_RUN) {
            session.insert(e);
            return;
        }
        try {
            session.insert(e);
        } catch (RuntimeException ex) {
            LOG.error("{}: evaluation failed: {}", e.getOrigin(), ex.toString());
        }
    }

    /** Counts {@code n} inserted events as evaluated (after the firing that evaluated them). */
    void processed(long n) {
        counters.processed.addAndGet(n);
    }

    /** Fires and delivers what closed. */
    void fire() {
        deliver(session.fire());
    }

    /** End of input: closes every window and delivers. */
    void flush() {
        deliver(session.flush());
    }

    /** Closes the open windows now (an idle partition) and delivers. */
    void closeOpenWindows() {
        deliver(session.closeOpenWindows());
    }

    /** Delivers the notables of groups closed early (a reload, a recovery, a restore), in output order. */
    void deliverClosed(List<NotableGroup> closed) {
        List<Notable> early = new ArrayList<>();
        for (NotableGroup g : closed) {
            early.add(Notable.of(g));
        }
        early.sort(Notable.ORDER);
        deliver(early);
    }

    /**
     * Replaces the session by {@code fresh}: {@code handOver} moves what carries over from the old session into
     * {@code fresh} and returns the groups that do not (delivered here); the old session's counts are kept and it
     * is closed.
     */
    void replace(DetectionSession fresh, Function<DetectionSession, List<NotableGroup>> handOver) {
        DetectionSession old = session;
        List<NotableGroup> closed = handOver.apply(old);
        drainRisk(old);
        old.detections().matchCounts().forEach((k, v) -> matchesBefore.merge(k, v, Long::sum));
        old.detections().suppressedCounts().forEach((k, v) -> suppressedBefore.merge(k, v, Long::sum));
        if (old.risk() != null) {
            old.risk().throttledCounts().forEach((k, v) -> throttledBefore.merge(k, v, Long::sum));
            incidentsBefore += old.risk().incidentCount();
        }
        session = fresh;
        try {
            old.close();
        } catch (RuntimeException | Error ignored) {
            // a broken session goes anyway
        }
        deliverClosed(closed);
    }

    /** Publishes the session's own figures (late events, open windows, watermark, per-rule counts) to the counters. */
    void observe() {
        Map<String, Long> matches = new TreeMap<>(matchesBefore);
        session.detections().matchCounts().forEach((k, v) -> matches.merge(k, v, Long::sum));
        Map<String, Long> suppressed = new TreeMap<>(suppressedBefore);
        session.detections().suppressedCounts().forEach((k, v) -> suppressed.merge(k, v, Long::sum));
        Map<String, Long> throttled = new TreeMap<>(throttledBefore);
        long incidents = incidentsBefore;
        if (session.risk() != null) {
            session.risk().throttledCounts().forEach((k, v) -> throttled.merge(k, v, Long::sum));
            incidents += session.risk().incidentCount();
        }
        counters.session = new DetectionCounters.SessionFigures(session.lateCount(), session.lateSamples(),
                session.openGroups().size(), session.watermark(), matches, suppressed, throttled, incidents);
    }

    /** {@link #observe()} of the cheap figures only (late events, watermark): after each batch of a live engine. */
    void observeTime() {
        DetectionCounters.SessionFigures f = counters.session;
        counters.session = new DetectionCounters.SessionFigures(session.lateCount(), f.lateSamples(), f.openGroups(),
                session.watermark(), f.matches(), f.suppressed(), f.throttled(), f.incidents());
    }

    private void deliver(List<Notable> closed) {
        drainRisk(session);
        for (Notable n : closed) {
            counters.notable(n.ruleId());
            try {
                notables.onNotable(n);
            } catch (RuntimeException ex) {
                sinkFailed(ex, "notable listener failed on " + n.ruleId() + " (" + n.fields().get("window_start") + ")");
            }
        }
    }

    private void drainRisk(DetectionSession from) {
        for (RiskEventRecord r : from.drainRiskEvents()) {
            counters.riskEvents.incrementAndGet();
            try {
                risk.onRiskEvent(r);
            } catch (RuntimeException ex) {
                sinkFailed(ex, "risk event listener failed on " + r.fields().get("source"));
            }
        }
    }

    /** A sink threw: the scan ends with it; a service logs and counts it and goes on. */
    private void sinkFailed(RuntimeException ex, String what) {
        if (onSinkFailure == SinkFailure.END_RUN) {
            throw ex;
        }
        counters.listenerErrors.incrementAndGet();
        LOG.error("{}: {}", what, ex.toString(), ex);
    }

    @Override
    public void close() {
        session.close();
    }
}
