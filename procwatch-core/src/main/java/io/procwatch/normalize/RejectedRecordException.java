package io.procwatch.normalize;

/** A record that is a process creation but cannot be used (no usable time, say); the message is the reason. */
public final class RejectedRecordException extends Exception {
    public RejectedRecordException(String reason) {
        super(reason, null, false, false);
    }
}
