package io.procwatch.aggregate;

/**
 * The time up to which the input is complete, as the session sees it: the newest event time less the
 * late-event allowance (replay), or the wall clock less the allowance (live). A notable group closes when
 * the watermark passes its window's end. Updated by the engine, read by the aggregation rules.
 */
public final class Watermark {

    private long time;

    public Watermark(long time) {
        this.time = time;
    }

    /** Epoch ms; {@link Long#MAX_VALUE} at end of input, which closes every window. */
    public long getTime() {
        return time;
    }

    public void setTime(long time) {
        this.time = time;
    }
}
