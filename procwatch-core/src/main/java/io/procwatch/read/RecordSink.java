package io.procwatch.read;

/**
 * Receives what a reader finds. Every record of an input ends up in exactly one of {@link #accept},
 * {@link #reject} and {@link #skipped}, which is what lets a run prove that events in = events processed + events
 * rejected.
 */
public interface RecordSink {

    /** A record that parsed. */
    void accept(RawRecord record);

    /** A record (or an unreadable stretch of input) that did not parse, with a reason a person can act on. */
    void reject(Origin origin, String reason);

    /**
     * Asked before a reader builds a record's fields, when it can tell the record's {@code EventID}, {@code Channel}
     * and {@code Provider} (or nxlog's {@code SourceName}) cheaply (each {@code null} when the record has none):
     * {@code false} means the sink would only count the record as another event, and the reader calls
     * {@link #skipped} instead of building it. A reader asks only about records it knows to be well formed, so a
     * skipped record is never one that {@link #reject} would have been told about. Default: every record is wanted.
     */
    default boolean wants(String eventId, String channel, String provider) {
        return true;
    }

    /** A well-formed record the reader did not build because {@link #wants} said no. */
    default void skipped(Origin origin) {
        throw new IllegalStateException("skipped() without wants(): " + origin);
    }

    /**
     * A non-fatal problem that lost no record (for example a checksum mismatch on data that still parsed).
     * Ignored unless the sink cares.
     */
    default void warn(Origin origin, String message) {
    }
}
