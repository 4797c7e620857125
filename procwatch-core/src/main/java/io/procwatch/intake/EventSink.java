package io.procwatch.intake;

import io.procwatch.normalize.ProcessEvent;
import io.procwatch.read.Origin;
import io.procwatch.read.RawRecord;

/**
 * Receives what an {@link EventSource} makes of its input, record by record. Every record ends up in exactly one
 * of {@link #processEvent}, {@link #otherEvent} and {@link #rejected}: that is what lets every entry point prove
 * records in = process events + other events + rejected.
 */
public interface EventSink {

    /** A process creation (Sysmon EID 1, Security 4688), normalized. */
    void processEvent(ProcessEvent event);

    /**
     * A record that is not a process creation: counted and skipped. {@code record} is {@code null} when the reader
     * decided that from the event id and channel without building the record's fields, which it does unless
     * {@link #needsOtherRecords()}.
     */
    default void otherEvent(Origin origin, RawRecord record) {
    }

    /** True when {@link #otherEvent} must receive every record built (as {@code explain} does, to say why). */
    default boolean needsOtherRecords() {
        return false;
    }

    /** A record (or an unreadable stretch of input) that cannot be used, with a reason a person can act on. */
    void rejected(Origin origin, String reason);

    /** A non-fatal problem that lost no record (a checksum mismatch on data that still parsed). */
    default void warning(Origin origin, String message) {
    }
}
