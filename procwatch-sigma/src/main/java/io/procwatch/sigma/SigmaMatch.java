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
     * {@code v.toLowerCase(Locale.ROOT).contains(lcNeedle)}, without building the lower-cased copy when {@code v}
     * is ASCII (lower-casing is then per character): a keyword rule reads every field of every event it is a
     * candidate for, and the copies were most of its cost. Any other character takes the copy (the Kelvin sign
     * lower-cases to an ASCII k, İ to two characters).
     */
    static boolean containsLowerCased(String v, String lcNeedle) {
        int n = v.length();
        for (int i = 0; i < n; i++) {
            if (v.charAt(i) >= 0x80) {
                return v.toLowerCase(Locale.ROOT).contains(lcNeedle);
            }
        }
        int m = lcNeedle.length();
        if (m == 0) {
            return true;
        }
        char first = lcNeedle.charAt(0);
        outer:
        for (int i = 0, last = n - m; i <= last; i++) {
            if (asciiLower(v.charAt(i)) != first) {
                continue;
            }
            for (int j = 1; j < m; j++) {
                if (asciiLower(v.charAt(i + j)) != lcNeedle.charAt(j)) {
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
