package io.procwatch.read.evtx;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Compares the reader's output with an oracle's, value by value. Allowed differences, all of them rendering only:
 * <ol>
 *   <li><b>Hex numbers</b> compare as numbers: evtxexport pads HexInt32/HexInt64 to 8/16 digits
 *       ({@code 0x00000000000003e7}); Windows and this reader write {@code 0x3e7}.</li>
 *   <li><b>GUIDs</b> compare ignoring case and braces.</li>
 *   <li><b>Timestamps</b> compare to the precision both sides have: evtxexport prints 9 fractional digits
 *       (the last two always 0), evtx_dump JSON 6 (microseconds); this reader 7 (100 ns, as Windows).</li>
 *   <li><b>Trailing whitespace</b> is ignored against the JSON oracle only (evtx_dump trims it).</li>
 *   <li>Whitespace-only text of elements that have child elements is indentation, not data.</li>
 * </ol>
 * Anything else is a mismatch.
 */
final class EventComparison {

    private static final Pattern HEX = Pattern.compile("0x[0-9a-fA-F]+");
    private static final Pattern GUID = Pattern.compile("\\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})}?");
    private static final Pattern TIME = Pattern.compile("(\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d)(?:\\.(\\d+))?Z");

    private EventComparison() {
    }

    /** The tree as "path=value" entries in document order: attributes as path/@name, leaf text as path. */
    static List<String[]> flatten(EvtxElement root) {
        List<String[]> out = new ArrayList<>();
        flatten(root, "", out);
        return out;
    }

    private static void flatten(EvtxElement e, String parent, List<String[]> out) {
        String path = parent + "/" + e.name();
        // Attributes by name: XML gives their order no meaning and DOM parsers do not keep it.
        new java.util.TreeMap<>(e.attributes()).forEach((k, v) -> out.add(new String[] {path + "/@" + k, v}));
        String text = e.text();
        if (e.children().isEmpty() || !text.isBlank()) {
            out.add(new String[] {path, text});
        }
        for (EvtxElement child : e.children()) {
            flatten(child, path, out);
        }
    }

    /** Mismatches between two rendered events (empty when equivalent). */
    static List<String> compareTrees(EvtxElement expected, EvtxElement actual) {
        List<String[]> a = flatten(expected);
        List<String[]> b = flatten(actual);
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < Math.max(a.size(), b.size()); i++) {
            String[] x = i < a.size() ? a.get(i) : null;
            String[] y = i < b.size() ? b.get(i) : null;
            if (x == null || y == null || !x[0].equals(y[0])) {
                problems.add("structure differs at entry " + i + ": oracle " + describe(x) + ", reader " + describe(y));
                break;
            }
            String mine = EvtxexportOracle.controlCharsToPrivateUse(y[1]);
            if (!equivalent(x[1], mine, false)) {
                problems.add(x[0] + ": oracle [" + x[1] + "] reader [" + y[1] + "]");
            }
        }
        return problems;
    }

    /** Mismatches for every field the oracle has; fields only the reader has are not checked here. */
    static List<String> compareFields(Map<String, String> expected, Map<String, String> actual, boolean json) {
        List<String> problems = new ArrayList<>();
        expected.forEach((k, v) -> {
            String mine = actual.get(k);
            if (mine == null) {
                problems.add(k + ": missing in reader (oracle [" + v + "])");
            } else if (!equivalent(v, json ? mine : EvtxexportOracle.controlCharsToPrivateUse(mine), json)) {
                problems.add(k + ": oracle [" + v + "] reader [" + mine + "]");
            }
        });
        return problems;
    }

    private static String describe(String[] entry) {
        return entry == null ? "<end>" : entry[0] + "=[" + entry[1] + "]";
    }

    private static boolean zerosFrom(String digits, int from) {
        return digits.length() <= from || digits.substring(from).chars().allMatch(c -> c == '0');
    }

    static boolean equivalent(String oracle, String reader, boolean json) {
        if (Objects.equals(oracle, reader)) {
            return true;
        }
        if (json && oracle.stripTrailing().equals(reader.stripTrailing())) {
            return true;
        }
        if (HEX.matcher(oracle).matches() && HEX.matcher(reader).matches()) {
            return new BigInteger(oracle.substring(2), 16).equals(new BigInteger(reader.substring(2), 16));
        }
        Matcher g1 = GUID.matcher(oracle);
        Matcher g2 = GUID.matcher(reader);
        if (g1.matches() && g2.matches()) {
            return g1.group(1).equalsIgnoreCase(g2.group(1));
        }
        Matcher t1 = TIME.matcher(oracle);
        Matcher t2 = TIME.matcher(reader);
        if (t1.matches() && t2.matches() && t1.group(1).equals(t2.group(1))) {
            String f1 = t1.group(2) == null ? "" : t1.group(2);
            String f2 = t2.group(2) == null ? "" : t2.group(2);
            int digits = Math.min(7, Math.min(f1.length(), f2.length()));
            // Equal to the shorter precision; digits past 100 ns (evtxexport's 8th and 9th) must be zero.
            return f1.substring(0, digits).equals(f2.substring(0, digits)) && zerosFrom(f1, 7) && zerosFrom(f2, 7);
        }
        return false;
    }
}
