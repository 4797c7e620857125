package io.procwatch.write;

/**
 * CSV cells that are safe to open in a spreadsheet: RFC 4180 quoting, and a cell a spreadsheet would run as a
 * formula (one starting with {@code =}, {@code +}, {@code -}, {@code @}, tab or carriage return: event data is
 * attacker-controlled) is prefixed with a single quote, as OWASP's CSV-injection guidance advises.
 */
public final class CsvCells {

    private CsvCells() {
    }

    /** The cell as written: neutralised, then quoted when it holds a comma, quote or line break. */
    public static String cell(String s) {
        String v = neutralise(s);
        if (v.indexOf(',') < 0 && v.indexOf('"') < 0 && v.indexOf('\n') < 0 && v.indexOf('\r') < 0) {
            return v;
        }
        return '"' + v.replace("\"", "\"\"") + '"';
    }

    /** {@code '} before a cell a spreadsheet would read as a formula; other cells unchanged. */
    public static String neutralise(String s) {
        if (s.isEmpty()) {
            return s;
        }
        char c = s.charAt(0);
        return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r' ? "'" + s : s;
    }
}
