package io.procwatch.detect;

/**
 * One error in a rule set, placed in the file a rule engineer edits.
 *
 * @param file    path of the DRL file on disk (or its classpath name for bundled rules)
 * @param line    1-based line, 0 when Drools gives none
 * @param message what is wrong
 */
public record RuleProblem(String file, int line, String message) {
    @Override
    public String toString() {
        return (line > 0 ? file + ":" + line : file) + ": " + message;
    }
}
