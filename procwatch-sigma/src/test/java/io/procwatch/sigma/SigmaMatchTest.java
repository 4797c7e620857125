package io.procwatch.sigma;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
}
