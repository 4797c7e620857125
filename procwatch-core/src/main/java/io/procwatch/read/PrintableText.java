package io.procwatch.read;

/**
 * Makes text from input safe to print on a terminal or in a log: control characters (ESC, BEL, backspace, the C1
 * range, DEL) become {@code \xNN}, so an input line cannot move the cursor, ring the bell or rewrite what an
 * operator reads. Tabs too (they would break aligned columns). The one cleaner for stderr messages, the table output and the summary.
 */
public final class PrintableText {

    private PrintableText() {
    }

    /** {@code s} on one line: line breaks become {@code \x0a}/{@code \x0d} too. */
    public static String clean(String s) {
        return clean(s, false);
    }

    /** As {@link #clean(String)}, but keeps line feeds (multi-line messages such as a summary). */
    public static String cleanKeepLines(String s) {
        return clean(s, true);
    }

    private static String clean(String s, boolean keepLines) {
        if (s == null) {
            return null;
        }
        StringBuilder sb = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean control = c < 0x20 && !(keepLines && c == '\n') || c >= 0x7f && c <= 0x9f;
            if (control) {
                if (sb == null) {
                    sb = new StringBuilder(s.length() + 8).append(s, 0, i);
                }
                sb.append(String.format("\\x%02x", (int) c));
            } else if (sb != null) {
                sb.append(c);
            }
        }
        return sb == null ? s : sb.toString();
    }
}
