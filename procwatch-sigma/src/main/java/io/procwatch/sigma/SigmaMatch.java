package io.procwatch.sigma;

import io.procwatch.normalize.ProcessEvent;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The matching functions converted Sigma rules call from their DRL constraints. All are static, pure and
 * null-safe: an absent field ({@code null}) matches nothing. Case-insensitive comparisons receive the field
 * already lower-cased ({@link ProcessEvent#lc}) and a needle the converter lower-cased, so no call lower-cases
 * anything. Patterns (globs, regexes, CIDR ranges) are compiled once per distinct literal and cached.
 */
public final class SigmaMatch {

    static final Map<String, Pattern> GLOBS = new ConcurrentHashMap<>();
    private static final Map<String, Pattern> REGEXES = new ConcurrentHashMap<>();
    private static final Map<String, byte[][]> CIDRS = new ConcurrentHashMap<>();

    private SigmaMatch() {
    }

    public static boolean eq(String value, String needle) {
        return value != null && needle != null && value.equals(needle);
    }

    public static boolean contains(String value, String needle) {
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
     * A Sigma wildcard pattern: {@code *} any run, {@code ?} one character, a backslash makes the next
     * character literal (the converter writes every literal backslash as {@code \\}). Whole-value match.
     */
    public static boolean glob(String value, String glob) {
        if (value == null) {
            return false;
        }
        return GLOBS.computeIfAbsent(glob, SigmaMatch::compileGlob).matcher(value).matches();
    }

    static Pattern compileGlob(String glob) {
        StringBuilder re = new StringBuilder("(?s)");
        StringBuilder lit = new StringBuilder();
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            if (c == '\\' && i + 1 < glob.length()) {
                lit.append(glob.charAt(++i));
            } else if (c == '*' || c == '?') {
                if (lit.length() > 0) {
                    re.append(Pattern.quote(lit.toString()));
                    lit.setLength(0);
                }
                re.append(c == '*' ? ".*" : ".");
            } else {
                lit.append(c);
            }
        }
        if (lit.length() > 0) {
            re.append(Pattern.quote(lit.toString()));
        }
        return Pattern.compile(re.toString());
    }

    /**
     * Sigma's {@code re} modifier: a Java regex searched (not anchored) in the raw value; flags from
     * {@code re|i}, {@code re|m}, {@code re|s}.
     */
    public static boolean re(String value, String regex, String flags) {
        if (value == null) {
            return false;
        }
        return regex(regex, flags).matcher(value).find();
    }

    /** The compiled (cached) pattern of a {@code re} value with its flags. */
    static Pattern regex(String regex, String flags) {
        String key = flags + "\u0000" + regex;
        Pattern p = REGEXES.get(key);
        if (p == null) {
            int f = 0;
            if (flags.indexOf('i') >= 0) {
                f |= Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE;
            }
            if (flags.indexOf('m') >= 0) {
                f |= Pattern.MULTILINE;
            }
            if (flags.indexOf('s') >= 0) {
                f |= Pattern.DOTALL;
            }
            p = Pattern.compile(regex, f);
            REGEXES.put(key, p);
        }
        return p;
    }

    /** Sigma's {@code cidr} modifier (IPv4 and IPv6). */
    public static boolean cidr(String value, String cidr) {
        if (value == null || value.isEmpty()) {
            return false;
        }
        byte[][] net = CIDRS.computeIfAbsent(cidr, SigmaMatch::parseCidr);
        byte[] addr = parseIp(value.strip());
        if (addr == null || addr.length != net[0].length) {
            return false;
        }
        int bits = net[1][0] & 0xff | (net[1].length > 1 ? (net[1][1] & 0xff) << 8 : 0);
        for (int i = 0; i < addr.length && bits > 0; i++, bits -= 8) {
            int mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
            if ((addr[i] & mask) != (net[0][i] & mask)) {
                return false;
            }
        }
        return true;
    }

    static byte[][] parseCidr(String cidr) {
        int slash = cidr.indexOf('/');
        byte[] a = parseIp(slash < 0 ? cidr : cidr.substring(0, slash));
        if (a == null) {
            throw new IllegalArgumentException("not a CIDR range: " + cidr);
        }
        int bits = slash < 0 ? a.length * 8 : Integer.parseInt(cidr.substring(slash + 1));
        return new byte[][]{a, {(byte) (bits & 0xff), (byte) (bits >> 8)}};
    }

    static byte[] parseIp(String s) {
        // Literal addresses only: never a name lookup.
        if (s.isEmpty() || !(s.indexOf(':') >= 0 || s.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9')))) {
            return null;
        }
        try {
            return InetAddress.getByName(s).getAddress();
        } catch (UnknownHostException | RuntimeException e) {
            return null;
        }
    }

    /** Sigma's {@code gt}/{@code gte}/{@code lt}/{@code lte}: the value read as a number. */
    public static boolean compare(String value, String op, double bound) {
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
            default -> throw new IllegalArgumentException(op);
        };
    }

    /** A keyword (field-less) search: the lower-cased needle in any field of the event. */
    public static boolean keyword(ProcessEvent e, String lcNeedle) {
        return e.anyStoredValue(v -> v.toLowerCase(Locale.ROOT).contains(lcNeedle));
    }

    /** A keyword with wildcards: the glob matches a whole (lower-cased) field value. */
    public static boolean keywordGlob(ProcessEvent e, String glob) {
        return e.anyStoredValue(v -> glob(v.toLowerCase(Locale.ROOT), glob));
    }
}
