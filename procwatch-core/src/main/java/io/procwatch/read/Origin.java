package io.procwatch.read;

/**
 * Where a record came from: the input (a file, or {@code archive!member} for a container member)
 * and its position in it. For text formats the position is the 1-based line on which the record starts;
 * for EVTX it is the 1-based record ordinal within the file.
 *
 * @param source file path, with {@code !member} appended for each container level
 * @param line   1-based line (text) or record ordinal (binary); 0 when the position is unknown
 */
public record Origin(String source, long line) {

    /** {@code source:line}, the form every error message uses. */
    @Override
    public String toString() {
        return line > 0 ? source + ":" + line : source;
    }
}
