package io.procwatch.sigma;

import io.procwatch.normalize.LogSource;
import io.procwatch.normalize.ProcessEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Java condition evaluator and its shortcuts give the same answers as the plain SigmaMatch functions. */
class SigmaMatcherTest {

    private static ProcessEvent ev(String field, String value) {
        return new ProcessEvent(LogSource.SYSMON, 1, 0L, null, Map.of(field, value, "Other", "x"));
    }

    private static String random(Random r, String alphabet, int max) {
        StringBuilder sb = new StringBuilder();
        int n = r.nextInt(max);
        for (int i = 0; i < n; i++) {
            sb.append(alphabet.charAt(r.nextInt(alphabet.length())));
        }
        return sb.toString();
    }

    @Test
    void regexLiteralsAreNecessary() {
        assertEquals(List.of("shell"), SigmaRegexLiterals.literals("powe(r)?shell", ""));
        // "-f" is option syntax found in most command lines (SigmaConverter.hitRate): the rarer "{" guards.
        assertEquals(List.of("{"), SigmaRegexLiterals.literals("\"(?:\\{\\d\\})+\"\\s*-f", ""));
        assertNull(SigmaRegexLiterals.literals("a|\\d+", ""));
        assertEquals(List.of("user"), SigmaRegexLiterals.literals("net\\s+user", ""));
        assertEquals(List.of("net"), SigmaRegexLiterals.literals("net\\s+user", "i"));
        // A small class multiplies the run: Raspberry Robin's "\\[a-zA-Z0-9]{1,32}\\.[a-zA-Z0-9]{1,6}\\.[ \"']{1}".
        assertEquals(List.of(". ", ".\"", ".'"),
                SigmaRegexLiterals.literals("\\\\[a-zA-Z0-9]{1,32}\\.[a-zA-Z0-9]{1,6}\\.[ \"']{1}", ""));
        assertEquals(List.of("a/b", "a-b"), SigmaRegexLiterals.literals("x?a[/-]b", ""));
        assertNull(SigmaRegexLiterals.literals("[^a]", ""));
        // Under re|i the letters i and s end a run (ı, İ and ſ fold to them).
        assertEquals(List.of(" the"), SigmaRegexLiterals.literals("this the", "i"));
        Random r = new Random(7);
        String alpha = "abAB.-\\ (|)?*+[]{}1";
        int checked = 0;
        for (int i = 0; i < 20000; i++) {
            String rx = random(r, alpha, 10);
            Pattern p;
            try {
                p = Pattern.compile(rx);
            } catch (RuntimeException e) {
                continue;
            }
            List<String> lits = SigmaRegexLiterals.literals(rx, "");
            if (lits == null) {
                continue;
            }
            for (int k = 0; k < 20; k++) {
                String text = random(r, "abAB.- \\1{}", 14);
                if (p.matcher(text).find()) {
                    String lc = text.toLowerCase();
                    assertTrue(lits.stream().anyMatch(lc::contains), rx + " found in " + text + " without " + lits);
                    checked++;
                }
            }
        }
        assertTrue(checked > 1000, "checked " + checked);
    }

    /** The lower-case string tests made on the raw value answer as lower-casing first, or defer (-1). */
    @Test
    void foldedStringTestsAgreeWithLowerCasing() {
        Random r = new Random(11);
        // İ lower-cases to two characters, the Kelvin sign to k, Σ depends on context: all must defer or agree.
        String rawAlphabet = "aAbBkK\\.-\u0130\u212a\u03a3\u00e9i";
        int decided = 0;
        for (int i = 0; i < 200_000; i++) {
            String raw = random(r, rawAlphabet, 8);
            String needle = random(r, "abk\\.-i", 4);
            if (needle.isEmpty()) {
                continue;
            }
            String lower = raw.toLowerCase(java.util.Locale.ROOT);
            boolean[] want = {lower.equals(needle), lower.startsWith(needle), lower.endsWith(needle), lower.contains(needle)};
            int anchor = SigmaMatcher.foldAnchor(needle);
            for (int kind = 0; kind < 4; kind++) {
                if (kind == 3 && anchor < 0) {
                    continue;
                }
                int got = SigmaMatcher.folded(kind, raw, needle, anchor);
                if (got >= 0) {
                    decided++;
                    assertEquals(want[kind], got == 1, "kind " + kind + " of '" + needle + "' on '" + raw + "'");
                }
            }
            // And through the matcher, which falls back on lower-casing when the fold defers.
            for (String op : List.of("eq", "startsWith", "endsWith", "contains")) {
                SigmaMatcher.Str m = new SigmaMatcher.Str(op, true, "CommandLine", needle);
                int kind = List.of("eq", "startsWith", "endsWith", "contains").indexOf(op);
                assertEquals(want[kind], m.test(ev("CommandLine", raw)), op + " '" + needle + "' on '" + raw + "'");
            }
        }
        assertTrue(decided > 300_000, "decided " + decided);
    }

    @Test
    void regexMinimumLengthIsALowerBound() {
        assertEquals(82, SigmaRegexLiterals.minLength("\\s[a-fA-F0-9]{64}\\s[a-fA-F0-9]{16}", ""));
        assertEquals(3, SigmaRegexLiterals.minLength("(?i)ab(?=x)\\bc+d?|abcd", ""));
        assertEquals(0, SigmaRegexLiterals.minLength("\\Qabc\\E", ""));
        assertEquals(0, SigmaRegexLiterals.minLength("a b", "x"));
        Random r = new Random(13);
        String alpha = "abAB.-\\ (|)?*+[]{}1^$";
        int checked = 0;
        for (int i = 0; i < 20000; i++) {
            String rx = random(r, alpha, 10);
            if (r.nextInt(4) == 0) {
                rx = rx + "{" + r.nextInt(4) + (r.nextBoolean() ? "," : "") + "}";
            }
            Pattern p;
            try {
                p = Pattern.compile(rx);
            } catch (RuntimeException e) {
                continue;
            }
            int min = SigmaRegexLiterals.minLength(rx, "");
            for (int k = 0; k < 20; k++) {
                String text = random(r, "abAB.- \\1{}", 14);
                if (p.matcher(text).find()) {
                    assertTrue(text.length() >= min, rx + " found in " + text + " shorter than " + min);
                    checked++;
                }
            }
        }
        assertTrue(checked > 1000, "checked " + checked);
    }

    @Test
    void leadingQuantifierCutFindsTheSameTexts() {
        assertEquals("\\w`(?:\\w+|-|.)`", SigmaRegexLiterals.forFind("\\w+`(?:\\w+|-|.)`"));
        assertEquals("[a-z]\\.x", SigmaRegexLiterals.forFind("[a-z]{1,32}\\.x"));
        assertEquals("\\w++a", SigmaRegexLiterals.forFind("\\w++a"));
        Random r = new Random(11);
        for (String rx : List.of("\\w+`a", "[ab]{2,5}b", ".*ab", "\\s*-\\w", "(?i)\\w+B", "a+?b", ".+a")) {
            Pattern a = Pattern.compile(rx);
            Pattern b = Pattern.compile(SigmaRegexLiterals.forFind(rx));
            for (int k = 0; k < 3000; k++) {
                String t = random(r, "abAB `-\n ", 12);
                assertEquals(a.matcher(t).find(), b.matcher(t).find(), rx + " on " + t);
            }
        }
    }

    @Test
    void repeatCharAndStarGlobEqualTheirRegexes() {
        Random r = new Random(3);
        for (String rx : List.of("\\+.*\\+.*\\+", "`.*`.*`.*`", "\\^.*\\^")) {
            assertNotNull(SigmaMatcher.RepeatChar.of("F", rx, ""));
            SigmaMatcher m = SigmaMatcher.RepeatChar.of("F", rx, "");
            Pattern p = Pattern.compile(rx);
            for (int k = 0; k < 3000; k++) {
                String t = random(r, "+`^a\n\r\u2028", 12);
                assertEquals(p.matcher(t).find(), m.test(ev("F", t)), rx + " on " + t);
            }
        }
        for (String glob : List.of("*ab*ba*", "a*b", "ab", "*a*a*", "*\\*a*", "**b", "a*", "*")) {
            SigmaMatcher m = SigmaMatcher.StarGlob.of(false, "F", glob);
            Pattern p = SigmaMatch.compileGlob(glob);
            for (int k = 0; k < 3000; k++) {
                String t = random(r, "ab*", 9);
                assertEquals(p.matcher(t).matches(), m.test(ev("F", t)), glob + " on " + t);
            }
        }
    }

    @Test
    void keywordWithAnchorEqualsPlainKeyword() {
        for (String needle : List.of("\\perfc.dat", "mimikatz", "iki", "kk")) {
            SigmaMatcher.Keyword k = new SigmaMatcher.Keyword(needle);
            for (String v : List.of("C:\\PERFC.DAT", "run MimiKatz", "x", "\u0130KI", "\u212Ak", "IKI")) {
                ProcessEvent e = ev("CommandLine", v);
                assertEquals(SigmaMatch.keyword(e, needle), k.test(e), needle + " in " + v);
            }
        }
    }

    @Test
    void foldedContainsEqualsLowerCasedContains() {
        Random r = new Random(23);
        // İ, Kelvin sign, Σ, σ, ς, a surrogate pair, Latin-1 letters, ASCII letters in both cases and non-letters.
        String alphabet = "aAbBiIkK.\\-\u0130\u212a\u03a3\u03c3\u00c9\u00e9\ud83d\ude00 ";
        int found = 0;
        for (int i = 0; i < 200_000; i++) {
            String needle = random(r, "abik.\\-", 5);
            int at = -1;
            for (int j = 0; j < needle.length() && at < 0; j++) {
                if (!Character.isLetter(needle.charAt(j))) {
                    at = j;
                }
            }
            if (at < 0) {
                continue;
            }
            String raw = random(r, alphabet, 12);
            boolean want = raw.toLowerCase(java.util.Locale.ROOT).contains(needle);
            assertEquals(want, SigmaMatcher.containsFolded(raw, needle, at), needle + " in " + raw);
            if (want) {
                found++;
            }
            ProcessEvent e = ev("CommandLine", raw);
            assertEquals(SigmaMatch.keyword(e, needle), new SigmaMatcher.Keyword(needle).test(e), needle + " in " + raw);
        }
        assertTrue(found > 1000, "found " + found);
    }

    @Test
    void emojiAcrossTheYamlBufferBoundaryIsRead(@TempDir Path dir) throws Exception {
        StringBuilder sb = new StringBuilder("title: emoji\nid: 00000000-0000-0000-0000-00000000e001\n"
                + "logsource: {category: process_creation, product: windows}\ndescription: '");
        while (sb.length() < 1023) {
            sb.append('x');
        }
        sb.append("'\ndetection:\n  sel:\n    CommandLine|contains:\n");
        for (int i = 0; i < 400; i++) {
            sb.append("      - '").appendCodePoint(0x1F600 + (i % 64)).append("'\n");
        }
        sb.append("  condition: sel\n");
        Path f = dir.resolve("emoji.yml");
        Files.writeString(f, sb.toString());
        ConversionReport r = SigmaConverter.standard().convertAll(List.of(f));
        assertEquals(List.of(), r.failures());
        assertTrue(r.converted().get(0).drl().contains("%d83d%de00"), "emoji needle kept");
    }
}
