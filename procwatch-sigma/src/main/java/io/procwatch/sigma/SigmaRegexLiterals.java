package io.procwatch.sigma;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Literals a Java regex needs: a set of lower-case strings at least one of which occurs (as a substring) in
 * every text the regex finds a match in. This gives {@code re} values a {@link SigmaPrefilter} guard.
 *
 * <p>The analysis is conservative: anything it does not understand ends a literal run or gives up (no guard).
 * Optional atoms ({@code ?}, {@code *}, {@code {0,…}}) and lookarounds are skipped, repeated atoms ({@code +},
 * {@code {n,…}}) end the run after one copy, character classes, {@code .}, anchors and escapes that are not
 * plain characters end the run; a top-level or group alternation gives the union of each branch's literal.
 * Only printable ASCII characters go into a literal: their lower case is context-free, so
 * {@code value contains L} implies {@code lc(value) contains lc(L)}. Under Unicode case folding ({@code re|i}
 * compiles with {@code UNICODE_CASE}) the letters {@code i} and {@code s} also end the run, because
 * {@code ı}, {@code İ} and {@code ſ} fold to them while their {@code toLowerCase} does not.
 */
final class SigmaRegexLiterals {

    /** Shortest literal worth a guard (a rare single character, such as a backtick, still narrows a lot). */
    static final int MIN_LENGTH = 1;

    private final String rx;
    private final boolean unicodeFold;
    private int pos;

    private SigmaRegexLiterals(String rx, boolean unicodeFold) {
        this.rx = rx;
        this.unicodeFold = unicodeFold;
    }

    private static final class GiveUp extends RuntimeException {
        GiveUp() {
            super(null, null, false, false);
        }
    }

    private static final Pattern INLINE_FLAGS = Pattern.compile("\\(\\?([a-zA-Z-]*)[:)]");

    /** The guard of {@code re} value {@code rx} on {@code field}, or null when none can be proven. */
    static List<String[]> guard(String field, String rx, String flags) {
        List<String> l = literals(rx, flags);
        if (l == null) {
            return null;
        }
        List<String[]> out = new ArrayList<>();
        for (String s : l) {
            out.add(new String[]{field, s});
        }
        return out;
    }

    /** The lower-case literals of which one must occur, or null. */
    static List<String> literals(String rx, String flags) {
        boolean fold = flags.indexOf('i') >= 0;
        java.util.regex.Matcher m = INLINE_FLAGS.matcher(rx);
        while (m.find()) {
            String f = m.group(1);
            if (f.indexOf('x') >= 0 || f.indexOf('u') >= 0 || f.indexOf('U') >= 0) {
                if (f.indexOf('x') >= 0) {
                    return null;    // comments mode: whitespace and # mean something else
                }
                fold = true;        // Unicode case folding somewhere: be as strict as for re|i
            }
        }
        if (rx.contains("\\Q")) {
            return null;
        }
        SigmaRegexLiterals p = new SigmaRegexLiterals(rx, fold);
        try {
            List<String> r = p.alternation();
            if (p.pos != rx.length() || r == null) {
                return null;
            }
            for (String s : r) {
                if (s.length() < MIN_LENGTH) {
                    return null;
                }
            }
            return r;
        } catch (GiveUp | IndexOutOfBoundsException e) {
            return null;
        }
    }

    /**
     * A lower bound on the length of any text in which {@code rx} finds a match (0 when in doubt): alternation
     * takes the shortest branch, a sequence adds its atoms, an atom (character, class, {@code .}, escape)
     * counts 1 times its quantifier's minimum, anchors, lookarounds and back references count 0. Each atom
     * matches at least one code point, which is at least one {@code char}. Comments mode and {@code \Q} give 0.
     */
    static int minLength(String rx, String flags) {
        if (flags.indexOf('x') >= 0 || rx.contains("\\Q") || rx.matches("(?s).*\\(\\?[a-zA-Z-]*x.*")) {
            return 0;
        }
        SigmaRegexLiterals p = new SigmaRegexLiterals(rx, false);
        try {
            int n = p.minAlternation();
            return p.pos == rx.length() ? n : 0;
        } catch (RuntimeException e) {
            return 0;
        }
    }

    private int minAlternation() {
        int best = Integer.MAX_VALUE;
        while (true) {
            best = Math.min(best, minSequence());
            if (more() && peek() == '|') {
                pos++;
                continue;
            }
            return best;
        }
    }

    /** What a group is, once its {@code (} is consumed. */
    private enum Group {
        /** Capturing, non-capturing, atomic, named or with scoped flags: its content is matched. */
        MATCHING,
        /** Look-ahead or look-behind: matches no text. */
        LOOKAROUND,
        /** {@code (?i)}: flags only, already consumed with its {@code )}. */
        FLAGS_ONLY
    }

    /** Consumes a group's {@code ?…} header after its {@code (} and says what kind of group it opens. */
    private Group groupHeader() {
        if (!more() || peek() != '?') {
            return Group.MATCHING;
        }
        pos++;
        char k = peek();
        if (k == ':' || k == '>') {
            pos++;
            return Group.MATCHING;
        }
        if (k == '=' || k == '!') {
            pos++;
            return Group.LOOKAROUND;
        }
        if (k == '<') {
            pos++;
            if (peek() == '=' || peek() == '!') {
                pos++;
                return Group.LOOKAROUND;
            }
            while (peek() != '>') {
                pos++;
            }
            pos++;
            return Group.MATCHING;
        }
        // inline flags: (?i) or (?i:...)
        while (Character.isLetter(peek()) || peek() == '-') {
            pos++;
        }
        if (peek() == ')') {
            pos++;
            return Group.FLAGS_ONLY;
        }
        if (peek() != ':') {
            throw new GiveUp();
        }
        pos++;
        return Group.MATCHING;
    }

    private int minSequence() {
        long sum = 0;
        while (more() && peek() != '|' && peek() != ')') {
            char c = peek();
            int atom;
            if (c == '(') {
                pos++;
                Group group = groupHeader();
                if (group == Group.FLAGS_ONLY) {
                    continue; // (?i): flags only
                }
                boolean zero = group == Group.LOOKAROUND;
                int inner = minAlternation();
                if (!more() || peek() != ')') {
                    throw new GiveUp();
                }
                pos++;
                atom = zero ? 0 : inner;
            } else if (c == '[') {
                skipClass();
                atom = 1;
            } else if (c == '^' || c == '$') {
                pos++;
                atom = 0;
            } else if (c == '.') {
                pos++;
                atom = 1;
            } else if (c == '\\') {
                pos++;
                char e = rx.charAt(pos);
                if ("bBAzZG".indexOf(e) >= 0 || (e >= '1' && e <= '9') || e == 'k') {
                    escape();
                    atom = 0;
                } else {
                    escape();
                    atom = 1;
                }
            } else if (c == '*' || c == '+' || c == '?' || c == '{') {
                throw new GiveUp();
            } else {
                pos++;
                atom = 1;
            }
            sum += (long) atom * minCount();
        }
        return (int) Math.min(sum, Integer.MAX_VALUE / 2);
    }

    /** The minimum count of the quantifier at {@code pos} (1 when none), consuming it. */
    private int minCount() {
        if (!more()) {
            return 1;
        }
        char c = peek();
        int min;
        if (c == '?' || c == '*') {
            pos++;
            min = 0;
        } else if (c == '+') {
            pos++;
            min = 1;
        } else if (c == '{') {
            int end = rx.indexOf('}', pos);
            String body = end < 0 ? "" : rx.substring(pos + 1, end);
            if (!body.matches("\\d+(,\\d*)?")) {
                throw new GiveUp();
            }
            pos = end + 1;
            min = Integer.parseInt(body.split(",")[0]);
        } else {
            return 1;
        }
        if (more() && (peek() == '?' || peek() == '+')) {
            pos++;
        }
        return min;
    }

    private static final Pattern LEADING = Pattern.compile(
            "^((?:\\(\\?[a-zA-Z-]*\\))?)(\\\\[wWdDsShH]|\\.|\\[(?:\\\\.|[^\\]\\[\\\\])+\\])(\\*|\\+|\\{(\\d+)(?:,\\d*)?\\})(\\??)(?![+*?{])");

    /**
     * A regex that a search ({@code find}, presence only) finds in exactly the same texts, with less
     * backtracking: a leading single-character atom with a greedy or lazy quantifier of minimum n
     * ({@code \w+}, {@code .*}, {@code [a-z]{1,32}}) is cut to exactly n copies. If the regex finds a match
     * that starts with k &ge; n copies, the last n of them start a match of the rewritten regex, and conversely
     * a match of the rewritten regex extends to none other than itself. Groups keep their numbers.
     */
    static String forFind(String rx) {
        java.util.regex.Matcher m = LEADING.matcher(rx);
        if (!m.find()) {
            return rx;
        }
        String q = m.group(3);
        int min = q.equals("*") ? 0 : q.equals("+") ? 1 : Integer.parseInt(m.group(4));
        String atom = m.group(2);
        String rest = rx.substring(m.end());
        String lead = min == 0 ? "" : min == 1 ? atom : atom + "{" + min + "}";
        if (min == 0 && !rest.isEmpty() && (rest.charAt(0) == '*' || rest.charAt(0) == '+' || rest.charAt(0) == '?'
                || rest.charAt(0) == '{')) {
            return rx;
        }
        return m.group(1) + lead + rest;
    }

    private boolean more() {
        return pos < rx.length();
    }

    private char peek() {
        return rx.charAt(pos);
    }

    /** Branches until ')' or the end: the union of each branch's best literal, or null. */
    private List<String> alternation() {
        LinkedHashSet<String> union = new LinkedHashSet<>();
        boolean ok = true;
        while (true) {
            List<String> b = sequence();
            if (b == null) {
                ok = false;
            } else {
                union.addAll(b);
            }
            if (more() && peek() == '|') {
                pos++;
                continue;
            }
            break;
        }
        return ok ? new ArrayList<>(union) : null;
    }

    /** One branch: its most selective requirement (a literal run, or a group's literal set), or null. */
    private List<String> sequence() {
        List<List<String>> reqs = new ArrayList<>();
        Run run = new Run();
        while (more() && peek() != '|' && peek() != ')') {
            char c = peek();
            if (c == '(') {
                pos++;
                Group group = groupHeader();
                if (group == Group.FLAGS_ONLY) {
                    flush(run, reqs);
                    continue;
                }
                boolean discard = group == Group.LOOKAROUND;
                List<String> inner = alternation();
                if (!more() || peek() != ')') {
                    throw new GiveUp();
                }
                pos++;
                flush(run, reqs);
                boolean optional = quantifier() == Q.OPTIONAL;
                if (!discard && !optional && inner != null) {
                    reqs.add(inner);
                }
            } else if (c == '[') {
                int start = pos;
                skipClass();
                String members = smallClass(rx.substring(start, pos));
                Q q = quantifier();
                if (members == null || q == Q.OPTIONAL || !run.expand(members)) {
                    flush(run, reqs);
                } else if (q == Q.REPEAT) {
                    flush(run, reqs);
                }
            } else if (c == '.' || c == '^' || c == '$') {
                pos++;
                flush(run, reqs);
                quantifier();
            } else if (c == '\\') {
                pos++;
                int lit = escape();
                atom(lit, run, reqs);
            } else if (c == '*' || c == '+' || c == '?' || c == '{') {
                throw new GiveUp();
            } else {
                pos++;
                atom(c, run, reqs);
            }
        }
        flush(run, reqs);
        List<String> best = null;
        for (List<String> r : reqs) {
            if (best == null || better(r, best)) {
                best = r;
            }
        }
        return best;
    }

    /** A single-character atom ({@code lit} &lt; 0: not a plain character) and its quantifier. */
    private void atom(int lit, Run run, List<List<String>> reqs) {
        Q q = quantifier();
        boolean usable = lit >= 0x20 && lit <= 0x7e
                && !(unicodeFold && "iIsS".indexOf(lit) >= 0);
        if (q == Q.OPTIONAL || !usable) {
            flush(run, reqs);
            return;
        }
        run.expand(String.valueOf((char) lit));
        if (q == Q.REPEAT) {
            flush(run, reqs);
        }
    }

    private enum Q { ONCE, OPTIONAL, REPEAT }

    private Q quantifier() {
        if (!more()) {
            return Q.ONCE;
        }
        char c = peek();
        Q q;
        if (c == '?' || c == '*') {
            pos++;
            q = Q.OPTIONAL;
        } else if (c == '+') {
            pos++;
            q = Q.REPEAT;
        } else if (c == '{') {
            int end = rx.indexOf('}', pos);
            if (end < 0) {
                throw new GiveUp();
            }
            String body = rx.substring(pos + 1, end);
            if (!body.matches("\\d+(,\\d*)?")) {
                throw new GiveUp();
            }
            pos = end + 1;
            int min = Integer.parseInt(body.split(",")[0]);
            q = min == 0 ? Q.OPTIONAL : (body.equals("1") ? Q.ONCE : Q.REPEAT);
        } else {
            return Q.ONCE;
        }
        if (more() && (peek() == '?' || peek() == '+')) {
            pos++;
        }
        return q;
    }

    /** After a backslash: the literal character, or -1 for a class, anchor, back reference or code escape. */
    private int escape() {
        char c = rx.charAt(pos++);
        if (Character.isLetterOrDigit(c)) {
            if (c == 'p' || c == 'P') {
                if (more() && peek() == '{') {
                    pos = rx.indexOf('}', pos) + 1;
                    if (pos == 0) {
                        throw new GiveUp();
                    }
                } else {
                    pos++;
                }
            } else if (c == 'k') {
                pos = rx.indexOf('>', pos) + 1;
                if (pos == 0) {
                    throw new GiveUp();
                }
            } else if (c == 'x') {
                if (more() && peek() == '{') {
                    pos = rx.indexOf('}', pos) + 1;
                } else {
                    pos += 2;
                }
            } else if (c == 'u') {
                pos += 4;
            } else if (c == 'c') {
                pos++;
            } else if (c == '0') {
                while (more() && peek() >= '0' && peek() <= '7') {
                    pos++;
                }
            } else if (c >= '1' && c <= '9') {
                while (more() && Character.isDigit(peek())) {
                    pos++;
                }
            } else if (c == 'E') {
                throw new GiveUp();
            }
            return -1;
        }
        return c;
    }

    private void skipClass() {
        pos++; // '['
        int depth = 1;
        if (more() && peek() == '^') {
            pos++;
        }
        if (more() && peek() == ']') {
            pos++;
        }
        while (depth > 0) {
            char c = rx.charAt(pos++);
            if (c == '\\') {
                pos++;
            } else if (c == '[') {
                depth++;
            } else if (c == ']') {
                depth--;
            }
        }
    }

    private static void flush(Run run, List<List<String>> reqs) {
        if (run.length > 0) {
            LinkedHashSet<String> set = new LinkedHashSet<>();
            for (String r : run.alternatives) {
                set.add(r.toLowerCase(Locale.ROOT));
            }
            reqs.add(new ArrayList<>(set));
        }
        run.alternatives = List.of("");
        run.length = 0;
    }

    /** The literal run being read: the strings of which one occurs, all of the same length. */
    private static final class Run {
        /** Most alternatives a run may have: a small class ({@code [ "']}) multiplies them. */
        static final int MAX = 8;
        List<String> alternatives = List.of("");
        int length;

        /** Appends one of {@code chars} to every alternative; false (nothing changed) when there would be too many. */
        boolean expand(String chars) {
            if (alternatives.size() * chars.length() > MAX) {
                return false;
            }
            List<String> next = new ArrayList<>();
            for (String a : alternatives) {
                for (int i = 0; i < chars.length(); i++) {
                    next.add(a + chars.charAt(i));
                }
            }
            alternatives = next;
            length++;
            return true;
        }
    }

    /**
     * The members of a small positive character class of plain printable ASCII characters ({@code [ "']},
     * {@code [/-]}, at most {@link Run#MAX}), or null: ranges, negation, nested classes, escapes other than
     * escaped punctuation, and under Unicode case folding the letters i and s, are not expanded.
     */
    private String smallClass(String cls) {
        if (cls.length() < 3 || cls.charAt(1) == '^') {
            return null;
        }
        StringBuilder m = new StringBuilder();
        for (int i = 1; i < cls.length() - 1; i++) {
            char c = cls.charAt(i);
            if (c == '\\') {
                c = cls.charAt(++i);
                if (Character.isLetterOrDigit(c)) {
                    return null;
                }
            } else if (c == '[' || c == '&' || (c == '-' && i > 1 && i < cls.length() - 2)) {
                return null;
            }
            if (c < 0x20 || c > 0x7e || (unicodeFold && "iIsS".indexOf(c) >= 0)) {
                return null;
            }
            if (m.indexOf(String.valueOf(c)) < 0) {
                m.append(c);
            }
        }
        return m.length() == 0 || m.length() > Run.MAX ? null : m.toString();
    }

    /** Prefers the set expected to hit less often ({@link SigmaConverter#hitRate}), then longer, then smaller sets. */
    private static boolean better(List<String> a, List<String> b) {
        double ca = 0, cb = 0;
        for (String x : a) {
            ca += SigmaConverter.hitRate(null, x);
        }
        for (String x : b) {
            cb += SigmaConverter.hitRate(null, x);
        }
        if (ca != cb) {
            return ca < cb;
        }
        int la = a.stream().mapToInt(String::length).min().orElse(0);
        int lb = b.stream().mapToInt(String::length).min().orElse(0);
        if (la != lb) {
            return la > lb;
        }
        return a.size() < b.size();
    }
}
