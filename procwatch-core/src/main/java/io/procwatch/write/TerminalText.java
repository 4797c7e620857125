package io.procwatch.write;

/**
 * Event data made safe to print on a terminal: event fields are attacker-controlled, and an escape sequence in a
 * command line could rewrite the screen, set the window title or worse. Control characters (C0 but tab, DEL, C1)
 * are shown as {@code \xNN}; tabs and line breaks as a space where the output is one line per record.
 */
public final class TerminalText {

    private TerminalText() {
    }

    /** {@code s} with every control character shown as {@code \xNN} (line breaks and tabs too). */
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
