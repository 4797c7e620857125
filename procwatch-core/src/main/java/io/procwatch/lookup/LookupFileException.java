package io.procwatch.lookup;

import java.io.IOException;
import java.nio.file.Path;

/** A row of an asset or identity lookup that cannot be read: names the file and line ({@code file:line: problem}). */
public final class LookupFileException extends IOException {

    private final transient Path file;
    private final int line;
    private final String problem;

    public LookupFileException(Path file, int line, String problem, Throwable cause) {
        super(file + ":" + line + ": " + problem, cause);
        this.file = file;
        this.line = line;
        this.problem = problem;
    }

    public Path file() {
        return file;
    }

    public int line() {
        return line;
    }

    /** The message without file and line. */
    public String problem() {
        return problem;
    }
}
