package io.procwatch.read.evtx;

import io.procwatch.read.Origin;

/**
 * Receives the parsed records of an EVTX file when the caller wants more than flattened fields
 * (see {@link EvtxReader#readRecords}). Every record ends up in exactly one of {@code record} or {@code reject}.
 */
public interface EvtxRecordVisitor {

    /** A record that parsed; {@code record} is only valid during this call. */
    void record(Origin origin, EvtxRecord record);

    /** A record, or a stretch of a chunk, that could not be read. */
    default void reject(Origin origin, String reason) {
    }

    /** A problem that lost no record, such as a checksum mismatch on data that still parsed. */
    default void warn(Origin origin, String message) {
    }
}
