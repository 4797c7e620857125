package io.procwatch.toolkit;

/**
 * One finding of {@link RuleValidator}, placed in the file and line a rule engineer edits.
 *
 * @param severity ERROR fails validation, WARNING is advice
 * @param file     the DRL (or spec) file
 * @param line     1-based line, 0 when unknown
 * @param rule     the DRL rule name, or {@code null} for file-level findings
 * @param message  what is wrong
 */
public record ValidationIssue(Severity severity, String file, int line, String rule, String message) {

    public enum Severity { ERROR, WARNING }

    public boolean isError() {
        return severity == Severity.ERROR;
    }

    @Override
    public String toString() {
        return (line > 0 ? file + ":" + line : file) + ": " + severity.name().toLowerCase() + ": "
                + (rule != null ? "rule '" + rule + "': " : "") + message;
    }
}
