package io.procwatch.intake;

/**
 * What one read through an {@link EventSource} found. {@code records == processEvents + otherEvents + rejected}
 * holds by construction.
 *
 * @param records       records read, of every kind
 * @param processEvents process creations handed on
 * @param otherEvents   records that are other events (counted, skipped)
 * @param rejected      records that could not be used
 */
public record IntakeCounts(long records, long processEvents, long otherEvents, long rejected) {

    /** Nothing read. */
    public static final IntakeCounts NONE = new IntakeCounts(0, 0, 0, 0);

    /** The sum of two counts. */
    public IntakeCounts plus(IntakeCounts o) {
        return new IntakeCounts(records + o.records, processEvents + o.processEvents, otherEvents + o.otherEvents,
                rejected + o.rejected);
    }
}
