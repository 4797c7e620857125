package io.procwatch.cli;

/** The process exit codes of every command, as documented in the README. */
public final class ExitCodes {
    /** The run completed; rejected records, if any, are in the summary. */
    public static final int OK = 0;
    /** An unexpected internal error (a bug: please report the stack trace). */
    public static final int INTERNAL = 1;
    /** Bad command-line usage. */
    public static final int USAGE = 2;
    /** The rules did not compile or their metadata is invalid; nothing was scanned. */
    public static final int RULES = 3;
    /** At least one input could not be read; every other input was scanned and its notables written. */
    public static final int INPUT = 4;
    /** {@code procwatch test}: at least one detection test failed. */
    public static final int TESTS_FAILED = 5;
    /** {@code scan -o}: notables could not all be written (the disk stayed full past {@code --out-wait}). */
    public static final int OUTPUT = 6;

    private ExitCodes() {
    }
}
