package io.procwatch.engine;

import java.time.Instant;

/**
 * The span of event time a scan looks at ({@code scan --from/--to}): which part of the input is scanned, as
 * choosing files chooses which input; events outside it are read and counted, never given to the rules.
 *
 * @param from first event time included, or null for no lower bound
 * @param to   event time excluded (the span is half-open, like the notable windows), or null for no upper bound
 */
public record EventTimeRange(Instant from, Instant to) {

    /** No bound: every event. */
    public static final EventTimeRange ALL = new EventTimeRange(null, null);

    public EventTimeRange {
        if (from != null && to != null && !from.isBefore(to)) {
            throw new IllegalArgumentException("--from " + from + " is not before --to " + to);
        }
    }

    /** True when an event at {@code epochMillis} is inside. */
    public boolean contains(long epochMillis) {
        return (from == null || epochMillis >= from.toEpochMilli()) && (to == null || epochMillis < to.toEpochMilli());
    }

    public boolean isAll() {
        return from == null && to == null;
    }
}
