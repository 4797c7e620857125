package io.procwatch.read;

/**
 * Receives what a reader finds. Every record of an input ends up in exactly one of the two calls,
 * which is what lets a run prove that events in = events processed + events rejected.
 */
public interface RecordSink {

    /** A record that parsed. */
    void accept(RawRecord record);

    /** A record (or an unreadable stretch of input) that did not parse, with a reason a person can act on. */
    void reject(Origin origin, String reason);

    /**
     * A non-fatal problem that lost no record (for example a checksum mismatch on data that still parsed).
     * Ignored unless the sink cares.
     */
    default void warn(Origin origin, String message) {
    }
}
