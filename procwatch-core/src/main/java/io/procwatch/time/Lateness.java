package io.procwatch.time;

import java.time.Duration;

/**
 * The late-event allowance: how far behind the newest event time (replay) or the wall clock (live) an event may
 * be and still land in its own window. It decides two things: which events count as late, and the watermark,
 * the time up to which input is taken as complete (windows ending at or before it close). Immutable.
 */
public final class Lateness {

    private final long allowanceMillis;

    private Lateness(long allowanceMillis) {
        this.allowanceMillis = allowanceMillis;
    }

    /** @throws IllegalArgumentException for a negative allowance */
    public static Lateness of(Duration allowance) {
        if (allowance.isNegative()) {
            throw new IllegalArgumentException("lateness " + allowance + " is negative");
        }
        return new Lateness(allowance.toMillis());
    }

    /**
     * True when an event at {@code eventTime} is more than the allowance behind {@code reference} (the newest
     * event time of its input, or the wall clock); never late before there is a reference ({@link Long#MIN_VALUE}).
     */
    public boolean isLate(long eventTime, long reference) {
        return reference != Long.MIN_VALUE && eventTime < reference - allowanceMillis;
    }

    /** The watermark when input is complete up to {@code completeUpTo}: that time less the allowance. */
    public long watermark(long completeUpTo) {
        return completeUpTo == Long.MAX_VALUE ? Long.MAX_VALUE : completeUpTo - allowanceMillis;
    }

    public Duration allowance() {
        return Duration.ofMillis(allowanceMillis);
    }

    @Override
    public String toString() {
        return allowance().toString();
    }
}
