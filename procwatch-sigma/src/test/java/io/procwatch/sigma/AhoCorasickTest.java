package io.procwatch.sigma;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The prefilter's multi-needle search against plain {@code String.contains}, over random needles and texts. */
class AhoCorasickTest {

    /** Few letters so that needles share prefixes and texts hit them; non-ASCII and case-changing characters too. */
    private static final String ALPHABET = "abcab\\.-: éÉİK";

    @Test
    void reportsExactlyTheNeedlesEachTextContainsInSmallAndLargeAutomata() {
        Random r = new Random(42);
        // 40 needles: full rows only; 3,000 needles (~19,000 states): 16-bit rows and deep states;
        // 7,000 needles (> 32,768 states): 32-bit rows and deep states.
        for (int needles : new int[]{40, 3_000, 7_000}) {
            List<String> ns = new ArrayList<>();
            // A small budget for full rows, so that the deep states are used (256 states get full rows at least).
            AhoCorasick ac = new AhoCorasick(needles > 100 ? 4096 : AhoCorasick.DENSE_BUDGET);
            for (int i = 0; i < needles; i++) {
                String n = random(r, 1 + r.nextInt(needles > 100 ? 16 : 5)).toLowerCase(Locale.ROOT);
                ns.add(n);
                ac.add(n, i);
            }
            ac.build();
            if (needles > 100) {
                assertTrue(ac.denseStates() < ac.states(), "deep states in use: " + ac.states());
            }
            if (needles > 5_000) {
                assertTrue(ac.states() > 32_768, "large enough for 32-bit rows: " + ac.states());
            }
            for (int round = 0; round < 2_000; round++) {
                String text = random(r, r.nextInt(60));
                String lower = text.toLowerCase(Locale.ROOT);
                TreeSet<Integer> want = new TreeSet<>();
                for (int i = 0; i < ns.size(); i++) {
                    if (lower.contains(ns.get(i))) {
                        want.add(i);
                    }
                }
                TreeSet<Integer> got = new TreeSet<>();
                ac.search(lower, got::add);
                assertEquals(want, got, "search over " + lower);
                TreeSet<Integer> folded = new TreeSet<>();
                if (ac.searchFolded(text, folded::add)) {
                    assertEquals(want, folded, "searchFolded over " + text);
                }
            }
        }
    }

    private static String random(Random r, int len) {
        StringBuilder sb = new StringBuilder(len);
        for (int i = 0; i < len; i++) {
            char c = ALPHABET.charAt(r.nextInt(ALPHABET.length()));
            sb.append(r.nextBoolean() ? c : Character.toUpperCase(c));
        }
        return sb.toString();
    }
}
