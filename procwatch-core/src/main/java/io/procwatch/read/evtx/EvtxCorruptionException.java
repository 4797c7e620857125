package io.procwatch.read.evtx;

/** Thrown inside the parser when bytes contradict the format; caught per record or per chunk, never leaves the reader. */
final class EvtxCorruptionException extends RuntimeException {

    EvtxCorruptionException(String message) {
        super(message, null, false, false); // no stack trace: corrupt data is expected input, not a bug
    }
}
