package io.procwatch.sigma;

import java.util.ArrayList;
import java.util.List;

/**
 * The text of a converted rule's prefilter guard: the prefilter's needles in the DRL's own words, clauses joined
 * by {@code &&}, each one needle or a parenthesised {@code ||} of needles,
 * {@code (CommandLine contains "-nographic" || Image contains "\\qemu") && CommandLine contains "-net"} (lower
 * case; Java string escapes). It is a necessary condition proven from the rule's constraints: when a clause has no
 * needle in the event, the rule's constraints cannot hold, so the prefilter does not hand the event to that rule.
 * It never decides a match; the rule's DRL constraints do.
 */
final class SigmaGuard {

    private static final String CONTAINS = " contains ";

    private SigmaGuard() {
    }

    /** The guard text of clauses of (field, lower-case needle) pairs. */
    static String text(List<List<String[]>> clauses) {
        StringBuilder sb = new StringBuilder();
        for (List<String[]> clause : clauses) {
            if (sb.length() > 0) {
                sb.append(" && ");
            }
            sb.append(clauses.size() > 1 && clause.size() > 1 ? "(" + clauseText(clause) + ")" : clauseText(clause));
        }
        return sb.toString();
    }

    /** One clause: its needles joined by {@code ||}. */
    static String clauseText(List<String[]> pairs) {
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
     * Reads a guard text back into its clauses of (field, needle) pairs.
     *
     * @throws IllegalArgumentException naming the position when the text is not a guard
     */
    static List<List<String[]>> parse(String text) {
        List<List<String[]>> clauses = new ArrayList<>();
        List<String[]> clause = new ArrayList<>();
        int i = 0;
        int n = text.length();
        boolean open = false;
        while (true) {
            i = spaces(text, i);
            if (!open && i < n && text.charAt(i) == '(') {
                open = true;
                i = spaces(text, i + 1);
            }
            int c = text.indexOf(CONTAINS, i);
            if (c < 0) {
                throw new IllegalArgumentException("guard: expected 'Field contains \"needle\"' at " + i + ": " + text);
            }
            String field = text.substring(i, c).strip();
            i = spaces(text, c + CONTAINS.length());
            if (field.isEmpty() || i >= n || text.charAt(i) != '"') {
                throw new IllegalArgumentException("guard: expected a field and a quoted needle at " + i + ": " + text);
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
                throw new IllegalArgumentException("guard: unterminated needle: " + text);
            }
            clause.add(new String[]{field, needle.toString()});
            i = spaces(text, i + 1);
            if (open && i < n && text.charAt(i) == ')') {
                open = false;
                i = spaces(text, i + 1);
            }
            if (i >= n && !open) {
                clauses.add(clause);
                return clauses;
            }
            if (text.startsWith("||", i)) {
                i += 2;
            } else if (!open && text.startsWith("&&", i)) {
                clauses.add(clause);
                clause = new ArrayList<>();
                i += 2;
            } else {
                throw new IllegalArgumentException("guard: expected '||'" + (open ? " or ')'" : " or '&&'") + " at " + i + ": " + text);
            }
        }
    }

    private static int spaces(String text, int i) {
        while (i < text.length() && text.charAt(i) == ' ') {
            i++;
        }
        return i;
    }
}
