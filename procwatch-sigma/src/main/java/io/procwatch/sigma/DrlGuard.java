package io.procwatch.sigma;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Derives a rule's prefilter guard from its DRL constraints as Drools compiled them, so that an edited converted
 * rule is guarded by what it now says, not by what it said at conversion. The constraints of the rule's
 * {@code SigmaCandidate} pattern are read as a conjunction; each is parsed into {@code ||}, {@code &&},
 * {@code !( )} and the tests the converter writes:
 * <ul>
 *   <li>{@code lc("F") contains "x"}, {@code get("F") contains "x"}, {@code lc("F") == "x"}, {@code get("F") == "x"}
 *   <li>{@code startsWith( lc("F"), "x" )}, {@code endsWith(…)}, {@code includes(…)}, {@code glob( lc("F"), "g" )}
 *   <li>{@code re( "F", "regex", "flags" )} (literal runs every match must contain, {@link SigmaRegexLiterals})
 * </ul>
 * Each gives "one of these (field, lower-case needle) pairs occurs"; {@code ||} takes the union (unknown when
 * any branch is), {@code &&} and the conjunction keep the clauses of their children with the lowest estimated hit
 * rates ({@link SigmaConverter#guardClauses}), a negation or any other test none. The result is a necessary
 * condition of the constraints, never the verdict: a rule without one is a candidate for every event.
 */
final class DrlGuard {

    private static final String STR = "\"((?:[^\"\\\\]|\\\\.)*)\"";
    private static final String ACC = "(lc|get)\\(\\s*" + STR + "\\s*\\)";
    private static final Pattern OPERATOR = Pattern.compile("^" + ACC + "\\s*(contains|==)\\s*" + STR + "$");
    private static final Pattern FUNCTION = Pattern.compile(
            "^(startsWith|endsWith|includes|glob|eq)\\(\\s*" + ACC + "\\s*,\\s*" + STR + "\\s*\\)$");
    private static final Pattern REGEX = Pattern.compile("^re\\(\\s*" + STR + "\\s*,\\s*" + STR + "\\s*,\\s*" + STR + "\\s*\\)$");

    /** Deeper nesting gives no guard (the rule is then a candidate for every event), never a StackOverflowError. */
    private static final int MAX_DEPTH = 200;

    private final String text;
    private int pos;
    private int depth;

    private DrlGuard(String text) {
        this.text = text;
    }

    /** The guard clauses of a conjunction of constraint expressions; empty when none can be proven. */
    static List<List<String[]>> of(List<String> constraints) {
        List<SigmaConverter.Expr> parts = new ArrayList<>();
        for (String c : constraints) {
            parts.add(parse(c));
        }
        return SigmaConverter.guardClauses(new SigmaConverter.All(parts, null));
    }

    /** One constraint expression as an expression tree whose leaves carry their guards (unknown tests: none). */
    static SigmaConverter.Expr parse(String expression) {
        DrlGuard p = new DrlGuard(withoutComments(expression));
        try {
            SigmaConverter.Expr e = p.or();
            p.skip();
            return p.pos == p.text.length() ? e : unknown();
        } catch (IllegalStateException e) {
            return unknown();
        }
    }

    /**
     * The expression without {@code //} and {@code /* *}{@code /} comments outside string literals: the executable
     * model keeps a constraint's text as written, comments included (MVEL's expression has none).
     */
    static String withoutComments(String t) {
        if (!t.contains("//") && !t.contains("/*")) {
            return t;
        }
        StringBuilder sb = new StringBuilder(t.length());
        int i = 0;
        while (i < t.length()) {
            char c = t.charAt(i);
            if (c == '"') {
                int j = i + 1;
                while (j < t.length() && t.charAt(j) != '"') {
                    j += t.charAt(j) == '\\' ? 2 : 1;
                }
                j = Math.min(j + 1, t.length());
                sb.append(t, i, j);
                i = j;
            } else if (t.startsWith("//", i)) {
                int end = t.indexOf('\n', i);
                i = end < 0 ? t.length() : end;
            } else if (t.startsWith("/*", i)) {
                int end = t.indexOf("*/", i + 2);
                i = end < 0 ? t.length() : end + 2;
                sb.append(' ');
            } else {
                sb.append(c);
                i++;
            }
        }
        return sb.toString();
    }

    private static SigmaConverter.Expr unknown() {
        return new SigmaConverter.Leaf("?", null);
    }

    private SigmaConverter.Expr or() {
        List<SigmaConverter.Expr> l = new ArrayList<>();
        l.add(and());
        while (accept("||")) {
            l.add(and());
        }
        return l.size() == 1 ? l.get(0) : new SigmaConverter.Any(l, null);
    }

    private SigmaConverter.Expr and() {
        List<SigmaConverter.Expr> l = new ArrayList<>();
        l.add(unary());
        while (accept("&&")) {
            l.add(unary());
        }
        return l.size() == 1 ? l.get(0) : new SigmaConverter.All(l, null);
    }

    private SigmaConverter.Expr unary() {
        skip();
        if (++depth > MAX_DEPTH) {
            throw new IllegalStateException("nested too deep");
        }
        try {
            return unaryAt();
        } finally {
            depth--;
        }
    }

    private SigmaConverter.Expr unaryAt() {
        if (accept("!")) {
            return new SigmaConverter.Neg(unary());
        }
        if (accept("(")) {
            SigmaConverter.Expr e = or();
            if (!accept(")")) {
                throw new IllegalStateException("')' expected");
            }
            return e;
        }
        return atom(test());
    }

    /** The text of one test: up to the next {@code ||}, {@code &&} or unbalanced {@code )} outside quotes. */
    private String test() {
        int start = pos;
        int depth = 0;
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c == '"') {
                pos++;
                while (pos < text.length() && text.charAt(pos) != '"') {
                    pos += text.charAt(pos) == '\\' ? 2 : 1;
                }
            } else if (c == '(') {
                depth++;
            } else if (c == ')') {
                if (depth == 0) {
                    break;
                }
                depth--;
            } else if (depth == 0 && (text.startsWith("||", pos) || text.startsWith("&&", pos))) {
                break;
            }
            pos++;
        }
        if (pos > text.length()) {
            throw new IllegalStateException("unterminated string");
        }
        return text.substring(start, pos).strip();
    }

    private static SigmaConverter.Expr atom(String t) {
        Matcher m = OPERATOR.matcher(t);
        if (m.matches()) {
            return leaf(unescape(m.group(2)), unescape(m.group(4)));
        }
        m = FUNCTION.matcher(t);
        if (m.matches()) {
            String needle = unescape(m.group(4));
            if (m.group(1).equals("glob")) {
                needle = SigmaConverter.longestLiteral(SigmaConverter.parsePattern(needle));
            }
            return leaf(unescape(m.group(3)), needle);
        }
        m = REGEX.matcher(t);
        if (m.matches()) {
            return new SigmaConverter.Leaf(t, SigmaRegexLiterals.guard(unescape(m.group(1)), unescape(m.group(2)),
                    unescape(m.group(3))));
        }
        return new SigmaConverter.Leaf(t, null);
    }

    private static SigmaConverter.Expr leaf(String field, String needle) {
        String n = needle.toLowerCase(Locale.ROOT);
        return new SigmaConverter.Leaf(field, n.isEmpty() ? null : List.<String[]>of(new String[]{field, n}));
    }

    /** A DRL string literal's content: {@code \\}, {@code \"}, {@code \n}, {@code \r}, {@code \t}, {@code \\uXXXX}. */
    static String unescape(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\' || i + 1 >= s.length()) {
                sb.append(c);
                continue;
            }
            char e = s.charAt(++i);
            switch (e) {
                case 'n' -> sb.append('\n');
                case 'r' -> sb.append('\r');
                case 't' -> sb.append('\t');
                case 'u' -> {
                    if (i + 4 < s.length()) {
                        sb.append((char) Integer.parseInt(s.substring(i + 1, i + 5), 16));
                        i += 4;
                    } else {
                        sb.append(e);
                    }
                }
                default -> sb.append(e);
            }
        }
        return sb.toString();
    }

    private void skip() {
        while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
            pos++;
        }
    }

    private boolean accept(String token) {
        skip();
        if (text.startsWith(token, pos) && !(token.equals("!") && text.startsWith("!=", pos))) {
            pos += token.length();
            return true;
        }
        return false;
    }
}
