package io.procwatch.read;

/**
 * Makes text from input safe to print on a terminal or in a log: control characters (ESC, BEL, backspace, the C1
 * range, DEL) become {@code \\uXXXX}, so an input line cannot move the cursor, ring the bell or rewrite what an
 * operator reads. Tab is kept; line breaks become {@code \\n}/{@code \\r} (a message stays one line).
 */
public final class PrintableText {

    private PrintableText() {
    }

    public static String clean(String s) {
        if (s == null) {
            return null;
        }
        int i = 0;
        while (i < s.length() && !control(s.charAt(i))) {
            i++;
        }
        if (i == s.length()) {
            return s;
        }
        StringBuilder b = new StringBuilder(s.length() + 16).append(s, 0, i);
        for (; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\n') {
                b.append("\\n");
            } else if (c == '\r') {
                b.append("\\r");
            } else if (control(c)) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    private static boolean control(char c) {
        return c < 0x20 && c != '\t' || c >= 0x7f && c <= 0x9f;
    }
}
