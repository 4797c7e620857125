package io.procwatch.read;

/** What the {@link InputWalker} tells about inputs, apart from their records. All methods default to no-ops. */
public interface InputListener {

    /** An input (file or container member) with event data is about to be read. */
    default void inputStarted(String source, InputFormat format) {
    }

    /** An input could not be read (missing, unreadable, corrupt container); its records, if any, are lost. */
    default void inputFailed(String source, String reason) {
    }

    /** An input found while walking a directory or container holds no event data and was passed over. */
    default void inputSkipped(String source, String reason) {
    }

    /** Bytes consumed from files on disk, for progress. */
    default void bytesRead(long n) {
    }
}
