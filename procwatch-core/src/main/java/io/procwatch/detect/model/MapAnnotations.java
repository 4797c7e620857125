package io.procwatch.detect.model;

/**
 * Rewrites DRL annotations with a map value, {@code @throttle( fields="dest user", window="1d" )}, into one string
 * value, {@code @throttle( "fields='dest user', window='1d'" )}: Drools' executable model cannot hold a map
 * ("cannot define a canonical representation for a java.util.Map") but holds a string, and the metadata readers
 * take both forms ({@link #pairs}). Line breaks inside the annotation are moved after it, so every line keeps its
 * number. Text inside string literals and comments is left alone, and so is an annotation whose values hold a single
 * quote (it still fails in the model, and the rules are compiled as DRL).
 */
public final class MapAnnotations {

    private MapAnnotations() {
    }

    /** The DRL text with its map-valued annotations written as one string each. */
    public static String asStrings(String drl) {
        StringBuilder out = null;
        int copied = 0;
        int n = drl.length();
        for (int i = 0; i < n; i++) {
            char c = drl.charAt(i);
            if (c == '"') {
                i = skipString(drl, i);
            } else if (c == '/' && i + 1 < n && drl.charAt(i + 1) == '/') {
                i = lineEnd(drl, i);
            } else if (c == '/' && i + 1 < n && drl.charAt(i + 1) == '*') {
                int end = drl.indexOf("*/", i + 2);
                i = end < 0 ? n : end + 1;
            } else if (c == '@') {
                int open = afterName(drl, i + 1);
                if (open < n && drl.charAt(open) == '(') {
                    int close = closeParen(drl, open);
                    String rewritten = close < 0 ? null : rewrite(drl.substring(open + 1, close));
                    if (rewritten != null) {
                        if (out == null) {
                            out = new StringBuilder(n + 16);
                        }
                        out.append(drl, copied, open + 1).append(rewritten).append(')');
                        for (int k = open; k < close; k++) {
                            if (drl.charAt(k) == '\n') {
                                out.append('\n'); // the lines the annotation spanned, so later lines keep their numbers
                            }
                        }
                        copied = close + 1;
                    }
                    if (close >= 0) {
                        i = close;
                    }
                }
            }
        }
        return out == null ? drl : out.append(drl, copied, n).toString();
    }

    /** {@code key="value", …} as one string literal, or null when it is no such list or cannot be written so. */
    private static String rewrite(String inside) {
        java.util.Map<String, String> pairs = pairs(inside);
        if (pairs == null) {
            return null;
        }
        StringBuilder s = new StringBuilder(" \"");
        for (java.util.Map.Entry<String, String> p : pairs.entrySet()) {
            if (p.getValue().indexOf('\'') >= 0 || p.getValue().indexOf('\\') >= 0) {
                return null;
            }
            s.append(s.length() > 2 ? ", " : "").append(p.getKey()).append("='").append(p.getValue()).append('\'');
        }
        return s.append("\" ").toString();
    }

    /**
     * The pairs of {@code key="value", key2='value2', key3=value3} (white space around each part allowed), values
     * without their quotes; null when the text is not such a list.
     */
    public static java.util.Map<String, String> pairs(String text) {
        java.util.Map<String, String> out = new java.util.LinkedHashMap<>();
        int i = 0;
        int n = text.length();
        while (true) {
            i = skipSpace(text, i);
            int k = i;
            while (i < n && (Character.isJavaIdentifierPart(text.charAt(i)))) {
                i++;
            }
            String key = text.substring(k, i);
            i = skipSpace(text, i);
            if (key.isEmpty() || i >= n || text.charAt(i) != '=') {
                return null;
            }
            i = skipSpace(text, i + 1);
            String value;
            if (i < n && (text.charAt(i) == '"' || text.charAt(i) == '\'')) {
                int end = text.indexOf(text.charAt(i), i + 1);
                if (end < 0) {
                    return null;
                }
                value = text.substring(i + 1, end);
                i = end + 1;
            } else {
                int v = i;
                while (i < n && text.charAt(i) != ',') {
                    i++;
                }
                value = text.substring(v, i).strip();
            }
            out.put(key, value);
            i = skipSpace(text, i);
            if (i >= n) {
                return out;
            }
            if (text.charAt(i) != ',') {
                return null;
            }
            i++;
        }
    }

    private static int skipSpace(String s, int i) {
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        return i;
    }

    private static int afterName(String s, int i) {
        while (i < s.length() && Character.isJavaIdentifierPart(s.charAt(i))) {
            i++;
        }
        return skipSpace(s, i);
    }

    /** The index of the ')' that closes the '(' at {@code open}, skipping string literals; -1 if none. */
    private static int closeParen(String s, int open) {
        int depth = 0;
        for (int i = open; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"') {
                i = skipString(s, i);
            } else if (c == '(') {
                depth++;
            } else if (c == ')' && --depth == 0) {
                return i;
            }
        }
        return -1;
    }

    /** The index of the quote that ends the string literal opened at {@code quote}. */
    private static int skipString(String s, int quote) {
        for (int i = quote + 1; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '"' || c == '\n') {
                return i;
            }
        }
        return s.length();
    }

    private static int lineEnd(String s, int i) {
        int end = s.indexOf('\n', i);
        return end < 0 ? s.length() : end;
    }
}
