package io.procwatch.sigma;

import java.util.ArrayList;
import java.util.List;

/**
 * The text of a converted rule's {@code @sigmaGuard}: the prefilter's needles in the DRL's own words,
 * {@code CommandLine contains "-nographic" || Image contains "\\qemu"} (lower case; Java string escapes). It is
 * a necessary condition the converter proved from the rule's condition: when none of these occurs in the event,
 * the rule's constraints cannot hold, so the prefilter does not hand the event to that rule. It never decides
 * a match; the rule's DRL constraints do.
 */
final class SigmaGuard {

    private static final String CONTAINS = " contains ";

    private SigmaGuard() {
    }

    /** The guard text of (field, lower-case needle) pairs. */
    static String text(List<String[]> pairs) {
        StringBuilder sb = new StringBuilder();
        for (String[] p : pairs) {
            if (sb.length() > 0) {
                sb.append(" || ");
            }
            sb.append(p[0]).append(CONTAINS).append(literal(p[1]));
        }
        return sb.toString();
    }

    /** A Java/DRL string literal; characters outside printable ASCII as {@code \\uXXXX}. */
    static String literal(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' || c == '"') {
                sb.append('\\').append(c);
            } else if (c < 0x20 || c > 0x7e) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.append('"').toString();
    }

    /**
     * Reads a guard text back into (field, needle) pairs.
     *
     * @throws IllegalArgumentException naming the position when the text is not a guard
     */
    static List<String[]> parse(String text) {
        List<String[]> out = new ArrayList<>();
        int i = 0;
        int n = text.length();
        while (true) {
            while (i < n && text.charAt(i) == ' ') {
                i++;
            }
            int c = text.indexOf(CONTAINS, i);
            if (c < 0) {
                throw new IllegalArgumentException("@sigmaGuard: expected 'Field contains \"needle\"' at " + i + ": " + text);
            }
            String field = text.substring(i, c).strip();
            i = c + CONTAINS.length();
            while (i < n && text.charAt(i) == ' ') {
                i++;
            }
            if (field.isEmpty() || i >= n || text.charAt(i) != '"') {
                throw new IllegalArgumentException("@sigmaGuard: expected a field and a quoted needle at " + i + ": " + text);
            }
            StringBuilder needle = new StringBuilder();
            i++;
            while (i < n && text.charAt(i) != '"') {
                char ch = text.charAt(i++);
                if (ch == '\\' && i < n) {
                    char e = text.charAt(i++);
                    if (e == 'u' && i + 4 <= n) {
                        needle.append((char) Integer.parseInt(text.substring(i, i + 4), 16));
                        i += 4;
                    } else {
                        needle.append(e);
                    }
                } else {
                    needle.append(ch);
                }
            }
            if (i >= n) {
                throw new IllegalArgumentException("@sigmaGuard: unterminated needle: " + text);
            }
            i++;
            out.add(new String[]{field, needle.toString()});
            while (i < n && text.charAt(i) == ' ') {
                i++;
            }
            if (i >= n) {
                return out;
            }
            if (!text.startsWith("||", i)) {
                throw new IllegalArgumentException("@sigmaGuard: expected '||' at " + i + ": " + text);
            }
            i += 2;
        }
    }
}
