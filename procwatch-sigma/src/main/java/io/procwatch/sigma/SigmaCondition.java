package io.procwatch.sigma;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sigma condition expressions: {@code and}, {@code or}, {@code not}, parentheses, {@code 1 of}/{@code any of}/
 * {@code all of} a name pattern or {@code them}. Precedence, lowest first: or, and, not, x of.
 */
public final class SigmaCondition {

    /** The condition tree. */
    public sealed interface Node permits And, Or, Not, Ref, Of {
    }

    public record And(List<Node> children) implements Node {
    }

    public record Or(List<Node> children) implements Node {
    }

    public record Not(Node child) implements Node {
    }

    /** A search identifier. */
    public record Ref(String name) implements Node {
    }

    /** {@code 1 of pattern} ({@code all} false) or {@code all of pattern}; pattern {@code them} = every search. */
    public record Of(boolean all, String pattern) implements Node {
    }

    private static final Pattern TOKEN = Pattern.compile("\\s*(\\(|\\)|[^\\s()]+)");

    /** Deepest nesting of parentheses and {@code not} read; deeper is refused, never a StackOverflowError. */
    static final int MAX_DEPTH = 64;

    private final List<String> tokens = new ArrayList<>();
    private int pos;
    private int depth;

    private SigmaCondition(String text) {
        Matcher m = TOKEN.matcher(text);
        int at = 0;
        while (at < text.length() && m.find(at) && m.start() == at) {
            tokens.add(m.group(1));
            at = m.end();
        }
        if (!text.substring(at).isBlank()) {
            throw new SigmaException("condition", "cannot read condition at '" + text.substring(at) + "'");
        }
    }

    /** Parses one condition string. */
    public static Node parse(String text) {
        if (text.contains("|")) {
            throw new SigmaException("condition aggregation (| count() ...)",
                    "the deprecated aggregation syntax; use a correlation rule");
        }
        SigmaCondition p = new SigmaCondition(text);
        Node n = p.or();
        if (p.pos != p.tokens.size()) {
            throw new SigmaException("condition", "unexpected '" + p.tokens.get(p.pos) + "' in condition: " + text);
        }
        return n;
    }

    private String peek() {
        return pos < tokens.size() ? tokens.get(pos) : null;
    }

    private boolean accept(String kw) {
        String t = peek();
        if (t != null && t.equalsIgnoreCase(kw)) {
            pos++;
            return true;
        }
        return false;
    }

    private Node or() {
        List<Node> l = new ArrayList<>();
        l.add(and());
        while (accept("or")) {
            l.add(and());
        }
        return l.size() == 1 ? l.get(0) : new Or(l);
    }

    private Node and() {
        List<Node> l = new ArrayList<>();
        l.add(not());
        while (accept("and")) {
            l.add(not());
        }
        return l.size() == 1 ? l.get(0) : new And(l);
    }

    private Node not() {
        if (accept("not")) {
            enter();
            Node n = new Not(not());
            depth--;
            return n;
        }
        return primary();
    }

    private void enter() {
        if (++depth > MAX_DEPTH) {
            throw new SigmaException("condition nesting", "the condition nests parentheses and 'not' deeper than "
                    + MAX_DEPTH + " levels");
        }
    }

    private Node primary() {
        String t = peek();
        if (t == null) {
            throw new SigmaException("condition", "condition ends too early");
        }
        if (accept("(")) {
            enter();
            Node n = or();
            if (!accept(")")) {
                throw new SigmaException("condition", "missing ')'");
            }
            depth--;
            return n;
        }
        if ((t.equals("1") || t.equalsIgnoreCase("any") || t.equalsIgnoreCase("all"))
                && pos + 1 < tokens.size() && tokens.get(pos + 1).equalsIgnoreCase("of")) {
            pos += 2;
            String pattern = peek();
            if (pattern == null || pattern.equals("(") || pattern.equals(")")) {
                throw new SigmaException("condition", "'" + t + " of' needs a pattern or 'them'");
            }
            pos++;
            return new Of(t.equalsIgnoreCase("all"), pattern);
        }
        if (t.equals(")") || t.equalsIgnoreCase("and") || t.equalsIgnoreCase("or") || t.equalsIgnoreCase("of")) {
            throw new SigmaException("condition", "unexpected '" + t + "'");
        }
        if (t.matches("\\d+") && pos + 1 < tokens.size() && tokens.get(pos + 1).equalsIgnoreCase("of")) {
            throw new SigmaException("condition 'N of' with N > 1", "'" + t + " of' is not in the Sigma specification");
        }
        pos++;
        return new Ref(t);
    }
}
