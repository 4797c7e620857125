package io.procwatch.sigma;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The helper functions converted conditions call, against their definitions. */
class SigmaMatchTest {

    /** The keyword search's ASCII path answers exactly what lower-casing the value and searching it answers. */
    @Test
    void keywordContainsEqualsLowerCasedContains() {
        List<String> values = List.of("", "C:\\Windows\\System32\\CMD.EXE /c whoami", "\\PERFC.DAT", "perfc.da",
                "x\\PerFc.DaT\\y", "\u212Aerberos", "KERBEROS", "İstanbul", "\u0130\\PERFC.DAT", "ΣΑΣ", "abc\u00e9DEF");
        List<String> needles = List.of("", "\\perfc.dat", "cmd.exe /c", "kerberos", "i̇stanbul", "istanbul", "σας",
                "éd", "c:", "t");
        for (String v : values) {
            for (String n : needles) {
                assertEquals(v.toLowerCase(Locale.ROOT).contains(n), SigmaMatch.containsLowerCased(v, n), v + " / " + n);
            }
        }
    }

    /**
     * The anchored search (an ASCII non-letter of the needle found by indexOf, the needle compared around it) and
     * the per-character scan agree with lower-casing on random values over an alphabet of the characters whose
     * lower case is special: the Kelvin sign, İ (two characters), Σ (final form by context), Latin-1 letters.
     */
    @Test
    void keywordSearchAgreesWithLowerCasingOnRandomValues() {
        char[] alphabet = "aAkKiI\\..1 s\u212A\u0130\u03A3\u03C3\u00C9\u00E9\u00B5\u00DF".toCharArray();
        java.util.Random random = new java.util.Random(42);
        List<String> needles = List.of("\\k.", "a\\", "i.1", "k\\i", ".", "ak", "s.", "\u00e9\\", "i\u0307\\", "\u03c3 ");
        int matches = 0;
        for (int i = 0; i < 200_000; i++) {
            char[] v = new char[random.nextInt(12)];
            for (int j = 0; j < v.length; j++) {
                v[j] = alphabet[random.nextInt(alphabet.length)];
            }
            String value = new String(v);
            String n = needles.get(random.nextInt(needles.size()));
            boolean expected = value.toLowerCase(Locale.ROOT).contains(n);
            matches += expected ? 1 : 0;
            assertEquals(expected, SigmaMatch.containsLowerCased(value, n), value + " / " + n);
        }
        assertTrue(matches > 1000, "the random values hit the needles often enough to test both answers: " + matches);
    }
}
