package io.procwatch.engine;

import java.util.Map;

/**
 * A snapshot of an engine's counters since it was built (they survive reloads): the engine's
 * {@link DetectionCounters}, the same counters a scan keeps, with its queue's state.
 *
 * @param received       records read from submissions (process events, other events and rejected records)
 * @param queued         process events accepted into the queue
 * @param processed      process events the session has evaluated
 * @param rejected       records that could not be used (malformed, or a process event without a usable time)
 * @param other          records that are not process creations
 * @param refused        process events refused because the queue was full (the caller was told to retry)
 * @param late           events more than the allowance behind the clock; still evaluated
 * @param notables       notables delivered to the listener
 * @param notablesByRule notables per detection id
 * @param listenerErrors exceptions thrown by the listener
 * @param queueDepth     process events waiting in the queue now
 * @param queueCapacity  the most process events the queue holds
 * @param openGroups     notable groups (windows) open now, as of the last firing
 * @param watermark      epoch ms up to which windows are closed ({@code Long.MIN_VALUE} before the first event)
 * @param rules          DRL rules in force
 * @param reloads        successful reloads
 * @param reloadFailures reloads refused because the new rules did not compile
 */
public record EngineMetrics(long received, long queued, long processed, long rejected, long other, long refused,
                            long late, long notables, Map<String, Long> notablesByRule, long listenerErrors,
                            int queueDepth, int queueCapacity, long openGroups, long watermark, int rules,
                            long reloads, long reloadFailures) {

    /** A snapshot of an engine's counters, with its queue's state and its rule count. */
    static EngineMetrics of(DetectionCounters c, int queueDepth, int queueCapacity, int rules) {
        DetectionCounters.SessionFigures f = c.session;
        return new EngineMetrics(c.received.get(), c.queued.get(), c.processed.get(), c.rejected.get(), c.other.get(),
                c.refused.get(), f.late(), c.notables.get(), Map.copyOf(c.notablesByRule()), c.listenerErrors.get(),
                queueDepth, queueCapacity, f.openGroups(), f.watermark(), rules, c.reloads.get(),
                c.reloadFailures.get());
    }
}
