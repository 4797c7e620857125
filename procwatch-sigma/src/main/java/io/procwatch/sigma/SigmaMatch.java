package io.procwatch.sigma;

import io.procwatch.normalize.ProcessEvent;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * The helper functions converted Sigma rules import into DRL ({@code import function}) for what a plain DRL
 * operator cannot say: prefix and suffix tests, wildcards, CIDR ranges, numeric comparison, Sigma's null, keyword
 * searches over every field. All are static, pure, null-safe (an absent field, {@code null}, matches nothing) and
 * keep no state: nothing is cached between calls. Case-insensitive tests receive the field already lower-cased
 * ({@code lc("Field")}) and a needle the converter lower-cased. Regular expressions need a compiled, bounded
 * engine and go through the rule set's {@link SigmaRuntime} ({@code sigma.re(…)}) instead.
 */
public final class SigmaMatch {

    private SigmaMatch() {
    }

    /** Both present and equal (Sigma's {@code fieldref}: two absent fields are not equal). */
    public static boolean eq(String value, String other) {
        return value != null && other != null && value.equals(other);
    }

    /** {@code value} contains {@code needle}, both present. */
    public static boolean includes(String value, String needle) {
        return value != null && needle != null && value.contains(needle);
    }

    public static boolean startsWith(String value, String needle) {
        return value != null && needle != null && value.startsWith(needle);
    }

    public static boolean endsWith(String value, String needle) {
        return value != null && needle != null && value.endsWith(needle);
    }

    /** Sigma's null value: the field is absent or empty. */
    public static boolean isEmpty(String value) {
        return value == null || value.isEmpty();
    }

    /**
     * A Sigma wildcard pattern over the whole value: {@code *} any run, {@code ?} one character, a backslash
     * makes the next character literal (the converter writes every literal backslash, star and question mark
     * escaped). Greedy matching with one backtrack point (the last star): O(value × pattern) at worst, no regex.
     */
    public static boolean glob(String value, String glob) {
        if (value == null || glob == null) {
            return false;
        }
        int v = 0;
        int g = 0;
        int starG = -1;
        int starV = 0;
        while (v < value.length()) {
            if (g < glob.length()) {
                char c = glob.charAt(g);
                if (c == '*') {
                    starG = ++g;
                    starV = v;
                    continue;
                }
                if (c == '?') {
                    g++;
                    v++;
                    continue;
                }
                if (c == '\\' && g + 1 < glob.length()) {
                    if (glob.charAt(g + 1) == value.charAt(v)) {
                        g += 2;
                        v++;
                        continue;
                    }
                } else if (c == value.charAt(v)) {
                    g++;
                    v++;
                    continue;
                }
            }
            if (starG < 0) {
                return false;
            }
            g = starG;
            v = ++starV;
        }
        while (g < glob.length() && glob.charAt(g) == '*') {
            g++;
        }
        return g == glob.length();
    }

    /**
     * Sigma's {@code cidr} modifier (IPv4 and IPv6). The value must be a complete address literal (four
     * decimal octets, or IPv6): {@code 1} is not 0.0.0.1. The range is read by {@link Cidr#parse}.
     */
    public static boolean cidr(String value, String cidr) {
        if (value == null || value.isEmpty() || cidr == null) {
            return false;
        }
        Cidr net;
        try {
            net = Cidr.parse(cidr);
        } catch (IllegalArgumentException e) {
            return false;
        }
        return net.contains(Cidr.address(value.strip()));
    }

    /** A CIDR range: network bytes and prefix length. */
    record Cidr(byte[] network, int bits) {

        /**
         * Reads {@code a.b.c.d/n}, an IPv4 short form with fewer octets ({@code 10/8} is 10.0.0.0/8,
         * {@code 192.168.1/24} is 192.168.1.0/24: missing octets are trailing zeros, not the {@code InetAddress}
         * reading), or an IPv6 range; without {@code /n}, one address. The prefix length is bounded by the
         * address size.
         *
         * @throws IllegalArgumentException for anything else
         */
        static Cidr parse(String text) {
            String s = text.strip();
            int slash = s.indexOf('/');
            String addr = slash < 0 ? s : s.substring(0, slash);
            byte[] a;
            if (addr.indexOf(':') >= 0) {
                a = ipv6(addr);
            } else {
                String[] parts = addr.split("\\.", -1);
                if (parts.length < 1 || parts.length > 4) {
                    throw new IllegalArgumentException("not an IPv4 range: " + text);
                }
                a = new byte[4];
                for (int i = 0; i < parts.length; i++) {
                    a[i] = (byte) octet(parts[i], text);
                }
                if (parts.length < 4 && slash < 0) {
                    throw new IllegalArgumentException("a short IPv4 form needs a prefix length: " + text);
                }
            }
            if (a == null) {
                throw new IllegalArgumentException("not an address: " + text);
            }
            int bits = a.length * 8;
            if (slash >= 0) {
                String b = s.substring(slash + 1);
                if (b.isEmpty() || b.length() > 3 || !b.chars().allMatch(c -> c >= '0' && c <= '9')) {
                    throw new IllegalArgumentException("not a prefix length: " + text);
                }
                bits = Integer.parseInt(b);
                if (bits > a.length * 8) {
                    throw new IllegalArgumentException("prefix length " + bits + " beyond " + a.length * 8 + " bits: " + text);
                }
            }
            return new Cidr(a, bits);
        }

        boolean contains(byte[] addr) {
            if (addr == null || addr.length != network.length) {
                return false;
            }
            int left = bits;
            for (int i = 0; i < addr.length && left > 0; i++, left -= 8) {
                int mask = left >= 8 ? 0xff : (0xff << (8 - left)) & 0xff;
                if ((addr[i] & mask) != (network[i] & mask)) {
                    return false;
                }
            }
            return true;
        }

        /** A complete address literal (dotted quad or IPv6), or null. Never a name lookup. */
        static byte[] address(String s) {
            if (s.indexOf(':') >= 0) {
                return ipv6(s);
            }
            String[] parts = s.split("\\.", -1);
            if (parts.length != 4) {
                return null;
            }
            byte[] a = new byte[4];
            try {
                for (int i = 0; i < 4; i++) {
                    a[i] = (byte) octet(parts[i], s);
                }
            } catch (IllegalArgumentException e) {
                return null;
            }
            return a;
        }

        private static int octet(String p, String text) {
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw new IllegalArgumentException("not an IPv4 octet '" + p + "' in " + text);
            }
            int v = Integer.parseInt(p);
            if (v > 255) {
                throw new IllegalArgumentException("IPv4 octet over 255 in " + text);
            }
            return v;
        }

        private static byte[] ipv6(String s) {
            // With a colon and only hex digits, colons, dots and a zone, InetAddress reads a literal, no lookup.
            if (s.isEmpty() || !s.chars().allMatch(c -> c == ':' || c == '.' || c == '%' || Character.digit(c, 16) >= 0)) {
                return null;
            }
            try {
                byte[] b = InetAddress.getByName(s.startsWith("[") ? s : s).getAddress();
                return b.length == 16 ? b : null;
            } catch (UnknownHostException | RuntimeException e) {
                return null;
            }
        }
    }

    /** Sigma's {@code gt}/{@code gte}/{@code lt}/{@code lte}: the value read as a number (decimal or 0x hex). */
    public static boolean number(String value, String op, double bound) {
        if (value == null) {
            return false;
        }
        double v;
        try {
            String s = value.strip();
            v = s.startsWith("0x") || s.startsWith("0X") ? Long.parseLong(s.substring(2), 16) : Double.parseDouble(s);
        } catch (NumberFormatException e) {
            return false;
        }
        return switch (op) {
            case "gt" -> v > bound;
            case "gte" -> v >= bound;
            case "lt" -> v < bound;
            case "lte" -> v <= bound;
            default -> false;
        };
    }

    /** A keyword (field-less) search: the lower-cased needle in any field value the event carries. */
    public static boolean keyword(ProcessEvent e, String lcNeedle) {
        return e != null && e.anyStoredValue(v -> containsLowerCased(v, lcNeedle));
    }

    /**
     * {@code v.toLowerCase(Locale.ROOT).contains(lcNeedle)}, without building the lower-cased copy: a keyword rule
     * reads every field of every event it is evaluated on (NotPetya's, on every event), and the copies and a loop
     * per character were most of its cost. When the needle holds a character that lower-casing never produces from
     * another (an ASCII character that is not a letter: {@code \}, {@code .}, a digit), the value is searched for
     * that anchor with {@link String#indexOf(int, int)} (a vector search) and the needle compared around each hit.
     * Characters up to U+00FF lower-case one to one ({@link Character#toLowerCase(char)}, as
     * {@code String.toLowerCase} does them); a window that meets a character above U+00FF (the Kelvin sign
     * lower-cases to an ASCII k, İ to two characters, a final Σ by context) takes the copy.
     */
    static boolean containsLowerCased(String v, String lcNeedle) {
        int m = lcNeedle.length();
        if (m == 0) {
            return true;
        }
        int k = anchor(lcNeedle);
        if (k < 0) {
            return containsLowerCasedScan(v, lcNeedle);
        }
        char a = lcNeedle.charAt(k);
        int n = v.length();
        for (int p = v.indexOf(a, k); p >= 0; p = v.indexOf(a, p + 1)) {
            int start = p - k;
            if (start + m > n) {
                return false;  // later anchors are nearer the end still
            }
            int j = 0;
            for (; j < m; j++) {
                char c = v.charAt(start + j);
                if (c > 0xFF) {
                    return v.toLowerCase(Locale.ROOT).contains(lcNeedle);
                }
                if (lower1(c) != lcNeedle.charAt(j)) {
                    break;
                }
            }
            if (j == m) {
                return true;
            }
        }
        // Every match in the copy holds the anchor, whose only source is the anchor in v: each window was tried.
        // (İ expands to i and U+0307, which an ASCII needle cannot span, so no window shifts.)
        return false;
    }

    /**
     * The index of the needle's anchor: its first ASCII character that is not a letter (no other character
     * lower-cases to it), or -1 when it has none or holds a character beyond ASCII.
     */
    private static int anchor(String lcNeedle) {
        int k = -1;
        for (int i = 0; i < lcNeedle.length(); i++) {
            char c = lcNeedle.charAt(i);
            if (c >= 0x80) {
                return -1;
            }
            if (k < 0 && !(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z')) {
                k = i;
            }
        }
        return k;
    }

    private static boolean hasWide(String v, int from, int to) {
        for (int i = from; i < to; i++) {
            if (v.charAt(i) > 0xFF) {
                return true;
            }
        }
        return false;
    }

    /** Lower case of a character up to U+00FF, one to one. */
    private static char lower1(char c) {
        return c < 0x80 ? asciiLower(c) : Character.toLowerCase(c);
    }

    /** {@link #containsLowerCased} for a needle without an anchor: a compare at every position. */
    private static boolean containsLowerCasedScan(String v, String lcNeedle) {
        int n = v.length();
        if (hasWide(v, 0, n)) {
            return v.toLowerCase(Locale.ROOT).contains(lcNeedle);
        }
        int m = lcNeedle.length();
        char first = lcNeedle.charAt(0);
        outer:
        for (int i = 0, last = n - m; i <= last; i++) {
            if (lower1(v.charAt(i)) != first) {
                continue;
            }
            for (int j = 1; j < m; j++) {
                if (lower1(v.charAt(i + j)) != lcNeedle.charAt(j)) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    private static char asciiLower(char c) {
        return c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c;
    }

    /** A keyword with wildcards: the glob matches a whole (lower-cased) field value. */
    public static boolean keywordGlob(ProcessEvent e, String glob) {
        return e != null && e.anyStoredValue(v -> glob(v.toLowerCase(Locale.ROOT), glob));
    }
}
