package io.procwatch.sigma;

import io.procwatch.normalize.FieldSlots;
import io.procwatch.normalize.ProcessEvent;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A converted Sigma rule's condition as a compiled Java matcher tree. The converter writes the condition into
 * the rule's {@code @sigmaCondition} annotation (a small prefix notation, see {@link #encode}); the
 * {@link SigmaPrefilter} compiles it once per KieBase and evaluates it on each candidate event, so the DRL rule
 * only dispatches on its hashed {@code rule == "<id>"} test and Drools compiles no MVEL expression per rule.
 *
 * <p>Every test is pure, so the children of {@code and}/{@code or} are evaluated cheapest first (equality and
 * prefix tests before substring search, globs, keyword scans and regexes) without changing the result.
 */
public abstract class SigmaMatcher {

    /** True when the event satisfies the condition. */
    public abstract boolean test(ProcessEvent e);

    /** How {@code procwatch explain} shows a test (set by the parser), e.g. {@code CommandLine contains "-nographic"}. */
    String text = "";
    /** The event fields the test reads, for showing their values. */
    List<String> fields = List.of();

    /**
     * {@code procwatch explain}: the condition on one event, a line per node (children in evaluation order,
     * cheapest first) with whether it holds, as the prefilter evaluates it.
     */
    public List<String> explain(ProcessEvent e) {
        List<String> out = new ArrayList<>();
        explain(e, "", out);
        return out;
    }

    /** The event fields the condition reads, in order of first use. */
    public List<String> fields() {
        java.util.Set<String> out = new java.util.LinkedHashSet<>();
        collectFields(out);
        return List.copyOf(out);
    }

    void explain(ProcessEvent e, String indent, List<String> out) {
        out.add(indent + mark(test(e)) + " " + text);
    }

    void collectFields(java.util.Set<String> out) {
        out.addAll(fields);
    }

    static String mark(boolean b) {
        return b ? "[true] " : "[FALSE]";
    }

    /** Relative evaluation cost, for ordering. */
    abstract int cost();

    // ------------------------------------------------------------------ encoding

    /** The encoded condition of a converted expression; {@code sysmonOnly} adds {@code event.eventId == 1}. */
    static String encode(SigmaConverter.Expr root, boolean sysmonOnly) {
        StringBuilder sb = new StringBuilder();
        if (sysmonOnly) {
            sb.append("(& (L sysmon) ");
            encode(sb, root);
            sb.append(')');
        } else {
            encode(sb, root);
        }
        return sb.toString();
    }

    private static void encode(StringBuilder sb, SigmaConverter.Expr e) {
        if (e instanceof SigmaConverter.Leaf l) {
            sb.append("(L");
            for (String t : l.op()) {
                sb.append(' ');
                token(sb, t);
            }
            sb.append(')');
        } else if (e instanceof SigmaConverter.Const c) {
            sb.append(c.value() ? 'T' : 'F');
        } else if (e instanceof SigmaConverter.Neg n) {
            sb.append("(! ");
            encode(sb, n.child());
            sb.append(')');
        } else {
            boolean and = e instanceof SigmaConverter.All;
            List<SigmaConverter.Expr> kids = and ? ((SigmaConverter.All) e).children() : ((SigmaConverter.Any) e).children();
            if (kids.size() == 1) {
                encode(sb, kids.get(0));
                return;
            }
            sb.append(and ? "(&" : "(|");
            for (SigmaConverter.Expr k : kids) {
                sb.append(' ');
                encode(sb, k);
            }
            sb.append(')');
        }
    }

    /** A token: printable ASCII except space, quote, backslash, parentheses and '%'; the rest as %hhhh; empty as %-. */
    private static void token(StringBuilder sb, String t) {
        if (t.isEmpty()) {
            sb.append("%-");
            return;
        }
        PercentCode.encode(sb, t, " \"\\()");
    }

    private static String untoken(String t) {
        return t.equals("%-") ? "" : PercentCode.decode(t);
    }

    // ------------------------------------------------------------------ parsing

    /** Compiles an encoded condition. */
    public static SigmaMatcher parse(String text) {
        String[] toks = text.replace("(", " ( ").replace(")", " ) ").trim().split("\\s+");
        int[] pos = {0};
        SigmaMatcher m = node(toks, pos);
        if (pos[0] != toks.length) {
            throw new IllegalArgumentException("trailing tokens in condition: " + text);
        }
        return m;
    }

    private static SigmaMatcher node(String[] t, int[] pos) {
        String tok = t[pos[0]++];
        if (tok.equals("T")) {
            return new Const(true);
        }
        if (tok.equals("F")) {
            return new Const(false);
        }
        if (!tok.equals("(")) {
            throw new IllegalArgumentException("unexpected token " + tok);
        }
        String kind = t[pos[0]++];
        SigmaMatcher out;
        switch (kind) {
            case "&", "|" -> {
                List<SigmaMatcher> kids = new ArrayList<>();
                while (!t[pos[0]].equals(")")) {
                    kids.add(node(t, pos));
                }
                kids.sort(Comparator.comparingInt(SigmaMatcher::cost));
                SigmaMatcher[] a = kids.toArray(SigmaMatcher[]::new);
                out = kind.equals("&") ? new And(a) : new Or(a);
            }
            case "!" -> out = new Not(node(t, pos));
            case "L" -> {
                List<String> args = new ArrayList<>();
                while (!t[pos[0]].equals(")")) {
                    args.add(untoken(t[pos[0]++]));
                }
                out = leaf(args);
                out.text = describe(args);
                out.fields = fieldsRead(args);
            }
            default -> throw new IllegalArgumentException("unknown node " + kind);
        }
        if (!t[pos[0]++].equals(")")) {
            throw new IllegalArgumentException("missing )");
        }
        return out;
    }

    /** A leaf's test in words (its encoded arguments: op, then field and values). */
    static String describe(List<String> a) {
        String op = a.get(0);
        String ci = a.size() > 1 && a.get(1).equals("lc") ? "" : " (case-sensitive)";
        return switch (op) {
            case "sysmon" -> "the event is Sysmon EID 1";
            case "eq" -> a.get(2) + " equals \"" + a.get(3) + "\"" + ci;
            case "contains", "startsWith", "endsWith" -> a.get(2) + " " + op.toLowerCase() + " \"" + a.get(3) + "\"" + ci;
            case "glob" -> a.get(2) + " matches \"" + a.get(3) + "\"" + ci;
            case "re" -> a.get(1) + " matches regex /" + a.get(2) + "/" + a.get(3);
            case "cidr" -> a.get(1) + " is in " + a.get(2);
            case "compare" -> a.get(1) + " " + a.get(2) + " " + a.get(3);
            case "isEmpty" -> a.get(1) + " is null (absent or empty)";
            case "has" -> a.get(1) + " exists";
            case "keyword" -> "some field contains \"" + a.get(1) + "\"";
            case "keywordGlob" -> "some field matches \"" + a.get(1) + "\"";
            case "fieldref" -> a.get(3) + " " + (a.get(1).equals("eq") ? "equals" : a.get(1).toLowerCase())
                    + " the value of " + a.get(4) + (a.get(2).equals("lc") ? "" : " (case-sensitive)");
            default -> String.join(" ", a);
        };
    }

    private static List<String> fieldsRead(List<String> a) {
        return switch (a.get(0)) {
            case "eq", "contains", "startsWith", "endsWith", "glob" -> List.of(a.get(2));
            case "re", "cidr", "compare", "isEmpty", "has" -> List.of(a.get(1));
            case "fieldref" -> List.of(a.get(3), a.get(4));
            default -> List.of();
        };
    }

    private static SigmaMatcher leaf(List<String> a) {
        String op = a.get(0);
        return switch (op) {
            case "sysmon" -> new Sysmon();
            case "eq", "contains", "startsWith", "endsWith" -> new Str(op, a.get(1).equals("lc"), a.get(2), a.get(3));
            case "glob" -> StarGlob.of(a.get(1).equals("lc"), a.get(2), a.get(3)) != null
                    ? StarGlob.of(a.get(1).equals("lc"), a.get(2), a.get(3))
                    : new Glob(a.get(1).equals("lc"), a.get(2), SigmaMatch.GLOBS.computeIfAbsent(a.get(3), SigmaMatch::compileGlob));
            case "re" -> RepeatChar.of(a.get(1), a.get(2), a.get(3)) != null ? RepeatChar.of(a.get(1), a.get(2), a.get(3))
                    : new Re(a.get(1), SigmaMatch.regex(SigmaRegexLiterals.forFind(a.get(2)), a.get(3)),
                    SigmaRegexLiterals.minLength(a.get(2), a.get(3)));
            case "cidr" -> new Fn(a.get(1), 4) {
                final String cidr = a.get(2);

                @Override
                public boolean test(ProcessEvent e) {
                    return SigmaMatch.cidr(e.get(field), cidr);
                }
            };
            case "compare" -> new Fn(a.get(1), 4) {
                final String cmp = a.get(2);
                final double bound = Double.parseDouble(a.get(3));

                @Override
                public boolean test(ProcessEvent e) {
                    return SigmaMatch.compare(e.get(field), cmp, bound);
                }
            };
            case "isEmpty" -> new Fn(a.get(1), 1) {
                @Override
                public boolean test(ProcessEvent e) {
                    return SigmaMatch.isEmpty(e.get(field));
                }
            };
            case "has" -> new Fn(a.get(1), 1) {
                @Override
                public boolean test(ProcessEvent e) {
                    return e.get(field) != null;
                }
            };
            case "keyword" -> new Keyword(a.get(1));
            case "keywordGlob" -> new Fn(null, 60) {
                final String glob = a.get(1);

                @Override
                public boolean test(ProcessEvent e) {
                    return SigmaMatch.keywordGlob(e, glob);
                }
            };
            case "fieldref" -> new Fn(a.get(3), 3) {
                final String fn = a.get(1);
                final boolean lc = a.get(2).equals("lc");
                final int other = FieldSlots.of(a.get(4));

                @Override
                public boolean test(ProcessEvent e) {
                    String x = lc ? e.lc(field) : e.get(field);
                    String y = lc ? e.lc(other) : e.get(other);
                    return switch (fn) {
                        case "contains" -> SigmaMatch.contains(x, y);
                        case "startsWith" -> SigmaMatch.startsWith(x, y);
                        case "endsWith" -> SigmaMatch.endsWith(x, y);
                        default -> SigmaMatch.eq(x, y);
                    };
                }
            };
            default -> throw new IllegalArgumentException("unknown test " + op);
        };
    }

    // ------------------------------------------------------------------ nodes

    /** And and Or: children, and a cost that is their capped sum. */
    abstract static class Combination extends SigmaMatcher {
        final SigmaMatcher[] kids;
        private final int cost;

        Combination(SigmaMatcher[] kids) {
            this.kids = kids;
            int c = 0;
            for (SigmaMatcher k : kids) {
                c = Math.min(1_000_000, c + k.cost());
            }
            this.cost = c;
        }

        @Override
        int cost() {
            return cost;
        }

        @Override
        void explain(ProcessEvent e, String indent, List<String> out) {
            out.add(indent + mark(test(e)) + " " + (this instanceof And ? "all of:" : "any of:"));
            for (SigmaMatcher k : kids) {
                k.explain(e, indent + "    ", out);
            }
        }

        @Override
        void collectFields(java.util.Set<String> out) {
            for (SigmaMatcher k : kids) {
                k.collectFields(out);
            }
        }
    }

    static final class And extends Combination {
        And(SigmaMatcher[] kids) {
            super(kids);
        }

        @Override
        public boolean test(ProcessEvent e) {
            for (SigmaMatcher k : kids) {
                if (!k.test(e)) {
                    return false;
                }
            }
            return true;
        }
    }

    static final class Or extends Combination {
        Or(SigmaMatcher[] kids) {
            super(kids);
        }

        @Override
        public boolean test(ProcessEvent e) {
            for (SigmaMatcher k : kids) {
                if (k.test(e)) {
                    return true;
                }
            }
            return false;
        }
    }

    static final class Not extends SigmaMatcher {
        private final SigmaMatcher kid;

        Not(SigmaMatcher kid) {
            this.kid = kid;
        }

        @Override
        public boolean test(ProcessEvent e) {
            return !kid.test(e);
        }

        @Override
        void explain(ProcessEvent e, String indent, List<String> out) {
            out.add(indent + mark(test(e)) + " not:");
            kid.explain(e, indent + "    ", out);
        }

        @Override
        void collectFields(java.util.Set<String> out) {
            kid.collectFields(out);
        }

        @Override
        int cost() {
            return kid.cost();
        }
    }

    static final class Const extends SigmaMatcher {
        private final boolean value;

        Const(boolean value) {
            this.value = value;
            this.text = value ? "always true" : "always false";
        }

        @Override
        public boolean test(ProcessEvent e) {
            return value;
        }

        @Override
        int cost() {
            return 0;
        }
    }

    static final class Sysmon extends SigmaMatcher {
        @Override
        public boolean test(ProcessEvent e) {
            return e.getEventId() == 1;
        }

        @Override
        int cost() {
            return 0;
        }
    }

    /**
     * Equality, prefix, suffix, substring on the raw or lower-cased field. With an ASCII needle the lower-cased
     * comparison is made on the raw value where that is exact ({@link #folded}), so most events never build a
     * lower-cased copy of their command line.
     */
    static final class Str extends SigmaMatcher {
        private final int kind;
        private final boolean lc;
        private final int field;
        private final String needle;
        /** Compare the raw value case-folded: lower-case ASCII needle ({@link #containsFolded} needs an anchor). */
        private final boolean fold;
        private final int anchor;

        Str(String op, boolean lc, String field, String needle) {
            this.kind = switch (op) {
                case "eq" -> 0;
                case "startsWith" -> 1;
                case "endsWith" -> 2;
                default -> 3;
            };
            this.lc = lc;
            this.field = FieldSlots.of(field);
            this.needle = needle;
            this.anchor = foldAnchor(needle);
            // Not for contains: several substring tests on one field are cheaper on one lower-cased copy
            // (String.contains is an intrinsic) than each scanning the raw value (measured).
            this.fold = lc && kind != 3 && needle.chars().allMatch(c -> c < 128);
        }

        @Override
        public boolean test(ProcessEvent e) {
            if (fold) {
                String raw = e.get(field);
                if (raw == null) {
                    return false;
                }
                int r = folded(kind, raw, needle, anchor);
                if (r >= 0) {
                    return r == 1;
                }
            }
            String v = lc ? e.lc(field) : e.get(field);
            if (v == null) {
                return false;
            }
            return switch (kind) {
                case 0 -> v.equals(needle);
                case 1 -> v.startsWith(needle);
                case 2 -> v.endsWith(needle);
                default -> v.contains(needle);
            };
        }

        @Override
        int cost() {
            return kind == 3 ? 3 : 2;
        }
    }

    /**
     * {@code raw.toLowerCase(Locale.ROOT)} compared with an all-ASCII lower-case needle (kind 0 equals, 1 starts
     * with, 2 ends with, 3 contains, {@code anchor} as for {@link #containsFolded}) without lower-casing: 1 true,
     * 0 false, -1 when a non-ASCII character of {@code raw} is where it would decide (lower-casing İ makes two
     * characters and the Kelvin sign makes a k, so the caller lower-cases). An ASCII character lower-cases to
     * itself or A–Z to a–z, so the compared stretch of an ASCII {@code raw} region is exact.
     */
    static int folded(int kind, String raw, String needle, int anchor) {
        int n = needle.length();
        int len = raw.length();
        switch (kind) {
            case 0, 1: {
                if (kind == 0 ? len != n : len < n) {
                    // Only İ lengthens a text when lower-cased, and its second character (U+0307) is not ASCII.
                    return 0;
                }
                return foldedPrefix(raw, needle);
            }
            case 2: {
                for (int j = 1; j <= n; j++) {
                    if (len - j < 0) {
                        return 0; // every character so far was ASCII: the lower-cased text is as short as raw
                    }
                    char c = raw.charAt(len - j);
                    if (c >= 128) {
                        return -1;
                    }
                    if (lower(c) != needle.charAt(n - j)) {
                        return 0;
                    }
                }
                return 1;
            }
            default:
                return containsFolded(raw, needle, anchor) ? 1 : 0;
        }
    }

    private static int foldedPrefix(String raw, String needle) {
        for (int j = 0; j < needle.length(); j++) {
            char c = raw.charAt(j);
            if (c >= 128) {
                return -1;
            }
            if (lower(c) != needle.charAt(j)) {
                return 0;
            }
        }
        return 1;
    }

    private static char lower(char c) {
        return c >= 'A' && c <= 'Z' ? (char) (c + 32) : c;
    }

    static final class Glob extends SigmaMatcher {
        private final boolean lc;
        private final int field;
        private final Pattern p;

        Glob(boolean lc, String field, Pattern p) {
            this.lc = lc;
            this.field = FieldSlots.of(field);
            this.p = p;
        }

        @Override
        public boolean test(ProcessEvent e) {
            String v = lc ? e.lc(field) : e.get(field);
            return v != null && p.matcher(v).matches();
        }

        @Override
        int cost() {
            return 8;
        }
    }

    static final class Re extends SigmaMatcher {
        private final int field;
        private final Pattern p;

        /** No text shorter than this holds a match ({@link SigmaRegexLiterals#minLength}). */
        private final int minLength;

        Re(String field, Pattern p, int minLength) {
            this.field = FieldSlots.of(field);
            this.p = p;
            this.minLength = minLength;
        }

        @Override
        public boolean test(ProcessEvent e) {
            String v = e.get(field);
            return v != null && v.length() >= minLength && p.matcher(v).find();
        }

        @Override
        int cost() {
            return 30;
        }
    }

    /**
     * A keyword: the lower-case needle in the lower-cased value of any field, as {@link SigmaMatch#keyword}.
     * A field is lower-cased (through the event's cache) only when its raw value holds the needle's anchor
     * character: an ASCII non-letter of the needle (no other character lower-cases to one, and such a
     * character stays itself), else an ASCII letter other than i and k in either case (only İ and the Kelvin
     * sign lower-case into i and k from outside ASCII).
     */
    static final class Keyword extends SigmaMatcher implements java.util.function.Predicate<String> {
        private final String needle;
        private final char anchor;
        private final char anchorUpper;
        /** Index in the needle of an ASCII non-letter when the needle is all ASCII, else -1. */
        private final int foldAt;

        Keyword(String needle) {
            this.needle = needle;
            char a = 0;
            int at = -1;
            for (int i = 0; i < needle.length() && a == 0; i++) {
                char c = needle.charAt(i);
                if (c < 128 && !Character.isLetter(c)) {
                    a = c;
                    at = i;
                }
            }
            for (int i = 0; i < needle.length() && a == 0; i++) {
                char c = needle.charAt(i);
                if (c >= 'a' && c <= 'z' && c != 'i' && c != 'k') {
                    a = c;
                }
            }
            this.anchor = a;
            this.anchorUpper = Character.toUpperCase(a);
            this.foldAt = foldAnchor(needle);
        }

        @Override
        public boolean test(ProcessEvent e) {
            return e.anyStoredValue(this);
        }

        /** One raw field value. */
        @Override
        public boolean test(String raw) {
            if (foldAt >= 0) {
                return containsFolded(raw, needle, foldAt);
            }
            if (anchor != 0 && raw.indexOf(anchor) < 0 && (anchorUpper == anchor || raw.indexOf(anchorUpper) < 0)) {
                return false;
            }
            return raw.toLowerCase(java.util.Locale.ROOT).contains(needle);
        }

        @Override
        int cost() {
            return 40;
        }
    }

    /**
     * The anchor index of {@link #containsFolded} for a lower-case needle: its first ASCII non-letter when the
     * needle is all ASCII, else -1.
     */
    static int foldAnchor(String needle) {
        if (!needle.chars().allMatch(c -> c < 128)) {
            return -1;
        }
        for (int i = 0; i < needle.length(); i++) {
            if (!Character.isLetter(needle.charAt(i))) {
                return i;
            }
        }
        return -1;
    }

    /**
     * {@code raw.toLowerCase(Locale.ROOT).contains(needle)} for an all-ASCII lower-case needle whose character at
     * {@code at} is an ASCII non-letter, without lower-casing {@code raw}. Per character that lower-casing is
     * {@link Character#toLowerCase(char)}, except İ (U+0130: "i" + U+0307), Σ (context-dependent, never ASCII)
     * and surrogates (never ASCII). Only İ and the Kelvin sign lower-case into ASCII from outside it, and İ's
     * "i" is followed by the non-ASCII U+0307, so it can only be the last character of an ASCII match. No
     * character other than itself lower-cases to the anchor, so each of the anchor's occurrences in the
     * lower-cased text is one in {@code raw}; the window around it is compared character by character.
     */
    static boolean containsFolded(String raw, String needle, int at) {
        char anchor = needle.charAt(at);
        int n = needle.length();
        int last = n - 1;
        for (int p = raw.indexOf(anchor, at); p >= 0; p = raw.indexOf(anchor, p + 1)) {
            int start = p - at;
            if (start + n > raw.length()) {
                return false;
            }
            int j = 0;
            for (; j < n; j++) {
                char c = raw.charAt(start + j);
                char l;
                if (c < 128) {
                    l = c >= 'A' && c <= 'Z' ? (char) (c + 32) : c;
                } else if (c == '\u0130') {
                    l = j == last ? 'i' : 0;
                } else {
                    l = Character.toLowerCase(c);
                }
                if (l != needle.charAt(j)) {
                    break;
                }
            }
            if (j == n) {
                return true;
            }
        }
        return false;
    }

    /**
     * A glob of literals and {@code *} only, all ASCII: the first piece a prefix, the last a suffix, the ones
     * between found left to right (leftmost is always safe for {@code *}). The same answers as the regex
     * {@link SigmaMatch#compileGlob} builds, without its backtracking.
     */
    static final class StarGlob extends SigmaMatcher {
        private final boolean lc;
        private final int field;
        private final String[] parts;
        private final int minLength;

        private StarGlob(boolean lc, String field, String[] parts) {
            this.lc = lc;
            this.field = FieldSlots.of(field);
            this.parts = parts;
            int m = 0;
            for (String p : parts) {
                m += p.length();
            }
            this.minLength = m;
        }

        /** Null when the glob has {@code ?} or a character outside ASCII. */
        static StarGlob of(boolean lc, String field, String glob) {
            List<String> parts = new ArrayList<>();
            StringBuilder cur = new StringBuilder();
            for (int i = 0; i < glob.length(); i++) {
                char c = glob.charAt(i);
                if (c >= 128 || c == '?') {
                    return null;
                }
                if (c == '\\' && i + 1 < glob.length()) {
                    char d = glob.charAt(++i);
                    if (d >= 128) {
                        return null;
                    }
                    cur.append(d);
                } else if (c == '*') {
                    parts.add(cur.toString());
                    cur.setLength(0);
                } else {
                    cur.append(c);
                }
            }
            parts.add(cur.toString());
            return new StarGlob(lc, field, parts.toArray(String[]::new));
        }

        @Override
        public boolean test(ProcessEvent e) {
            String v = lc ? e.lc(field) : e.get(field);
            if (v == null || v.length() < minLength) {
                return false;
            }
            int n = parts.length;
            if (n == 1) {
                return v.equals(parts[0]);
            }
            String first = parts[0];
            String last = parts[n - 1];
            if (!v.startsWith(first) || !v.endsWith(last)) {
                return false;
            }
            int from = first.length();
            int end = v.length() - last.length();
            for (int i = 1; i < n - 1; i++) {
                String p = parts[i];
                if (p.isEmpty()) {
                    continue;
                }
                int at = v.indexOf(p, from);
                if (at < 0 || at + p.length() > end) {
                    return false;
                }
                from = at + p.length();
            }
            return from <= end;
        }

        @Override
        int cost() {
            return 4;
        }
    }

    /**
     * The regex {@code X.*X.*…X} (n copies of one literal character X, no flags or only {@code m}): found
     * exactly when some line (a run without {@code .}'s line terminators) holds X at least n times.
     */
    static final class RepeatChar extends SigmaMatcher {
        private static final Pattern FORM = Pattern.compile("(\\\\[^a-zA-Z0-9]|[^\\\\.*+?()\\[\\]{}|^$])(?:\\.\\*\\1)+");
        private final int field;
        private final char x;
        private final int n;

        private RepeatChar(String field, char x, int n) {
            this.field = FieldSlots.of(field);
            this.x = x;
            this.n = n;
        }

        static RepeatChar of(String field, String rx, String flags) {
            if (!flags.replace("m", "").isEmpty()) {
                return null;
            }
            java.util.regex.Matcher m = FORM.matcher(rx);
            if (!m.matches()) {
                return null;
            }
            String atom = m.group(1);
            char c = atom.charAt(atom.length() - 1);
            if (atom.length() == 2 && Character.isLetterOrDigit(c)) {
                return null; // \d, \w, back references...
            }
            int count = (rx.length() - atom.length()) / (atom.length() + 2) + 1;
            return new RepeatChar(field, c, count);
        }

        @Override
        public boolean test(ProcessEvent e) {
            String v = e.get(field);
            if (v == null) {
                return false;
            }
            int run = 0;
            for (int i = 0, len = v.length(); i < len; i++) {
                char c = v.charAt(i);
                if (c == x) {
                    if (++run >= n) {
                        return true;
                    }
                } else if (c == '\n' || c == '\r' || c == '\u0085' || c == '\u2028' || c == '\u2029') {
                    run = 0;
                }
            }
            return false;
        }

        @Override
        int cost() {
            return 5;
        }
    }

    /** A test on one field through a {@link SigmaMatch} function. */
    abstract static class Fn extends SigmaMatcher {
        /** The field's slot; -1 for tests on every field. */
        final int field;
        private final int cost;

        Fn(String field, int cost) {
            this.field = field == null ? -1 : FieldSlots.of(field);
            this.cost = cost;
        }

        @Override
        int cost() {
            return cost;
        }
    }
}
