package io.procwatch.sigma;

/**
 * The percent code of the values the converter writes into DRL annotations ({@code @sigmaCondition} tokens,
 * {@code @sigmaGuard} needles): a character outside printable ASCII, or one the format uses as syntax, is written
 * as {@code %hhhh} (its UTF-16 code unit in four hex digits), so the annotation stays one plain DRL string.
 */
final class PercentCode {

    private PercentCode() {
    }

    /** Appends {@code s}, escaping control and non-ASCII characters, {@code %}, and each character of {@code syntax}. */
    static void encode(StringBuilder sb, String s, String syntax) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c > 0x7e || c == '%' || syntax.indexOf(c) >= 0) {
                sb.append('%').append(String.format("%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
    }

    /** The text {@link #encode} wrote. */
    static String decode(String s) {
        if (s.indexOf('%') < 0) {
            return s;
        }
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                sb.append((char) Integer.parseInt(s.substring(i + 1, i + 5), 16));
                i += 4;
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
