package io.procwatch.sigma;

import io.procwatch.normalize.ProcessEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Issue 16: Sigma rules that would stall or crash the engine (catastrophic regexes, deep nesting). */
class SigmaHostileRulesTest {

    private static final String HEAD = "logsource: {category: process_creation, product: windows}\ndetection:\n";

    private static String rule(String id, String detection) {
        return "title: t " + id + "\nid: " + id + "\nlevel: high\n" + HEAD + detection;
    }

    /** The reproduction: (\w+){1,30}$ on a 41-character command line. RE2/J runs it in linear time. */
    @Test
    void aBacktrackingPatternRunsInLinearTime(@TempDir Path dir) throws Exception {
        String id = "00000000-0000-0000-0000-0000000000a1";
        SigmaTestSupport.Compiled c = SigmaTestSupport.compile(dir, Map.of(),
                rule(id, "  sel:\n    CommandLine|re: '(\\w+){1,30}$'\n  condition: sel\n"));
        assertTrue(SigmaRegexes.linear("(\\w+){1,30}$", ""));
        String cmd = "a".repeat(40) + "!";   // 41 characters, no word character at the end: every split is tried
        String ok = "a".repeat(41);
        assertEquals(41, cmd.length());
        SigmaTestSupport.Run r = SigmaTestSupport.run(c.rules(), List.of(
                SigmaSpecTest.ev("CommandLine", cmd, "Image", "c:\\x.exe"),
                SigmaSpecTest.ev("CommandLine", ok, "Image", "c:\\x.exe")));
        assertEquals(1L, r.matchCounts().get(id), "only the command line ending in a word character");
        SigmaRegexes rx = SigmaRuntime.of(c.rules()).regexes();
        assertEquals(1, rx.switchedToLinear(), "moved to RE2/J");
        assertEquals(0, rx.budgetExceeded(), "not disabled: RE2/J runs it");
        assertEquals(List.of(), rx.disabledRules());
    }

    /**
     * A pattern only java.util.regex reads (a back-reference) that backtracks catastrophically: the rule is disabled at
     * its budget, counted, and the other rules go on matching.
     */
    @Test
    void aJavaOnlyPatternOverItsBudgetDisablesItsRuleOnly(@TempDir Path dir) throws Exception {
        String bad = "00000000-0000-0000-0000-0000000000b1";
        String good = "00000000-0000-0000-0000-0000000000b2";
        SigmaTestSupport.Compiled c = SigmaTestSupport.compile(dir, Map.of(),
                rule(bad, "  sel:\n    CommandLine|re: '(a|aa)+\\1b'\n  condition: sel\n"),
                rule(good, "  sel:\n    CommandLine|contains: 'aaaa'\n  condition: sel\n"));
        assertTrue(!SigmaRegexes.linear("(a|aa)+\\1b", ""), "RE2/J has no back-references");
        ProcessEvent hostile = SigmaSpecTest.ev("CommandLine", "b " + "a".repeat(48) + "c", "Image", "c:\\x.exe");
        ProcessEvent fine = SigmaSpecTest.ev("CommandLine", "aaab", "Image", "c:\\x.exe");
        long t0 = System.nanoTime();
        SigmaTestSupport.Run r = SigmaTestSupport.run(c.rules(), List.of(hostile, fine, hostile.withTime(hostile.getTime() + 1000)));
        assertTrue(System.nanoTime() - t0 < 60_000_000_000L, "bounded");
        SigmaRegexes rx = SigmaRuntime.of(c.rules()).regexes();
        assertEquals(1, rx.budgetExceeded());
        assertEquals(List.of(bad), rx.disabledRules());
        assertEquals(1L, SigmaRuntime.of(c.rules()).regexes().budgetExceeded(), "what --stats and /metrics show");
        assertEquals(2L, r.matchCounts().get(good), "the other rule matched both hostile events");
        assertEquals(0L, r.matchCounts().getOrDefault(bad, 0L), "the disabled rule matches nothing");
        // A disabled rule stays disabled for this rule set only: a new rule set starts afresh.
        SigmaTestSupport.Compiled again = SigmaTestSupport.compile(dir, Map.of(),
                rule(bad, "  sel:\n    CommandLine|re: '(a|aa)+\\1b'\n  condition: sel\n"));
        assertEquals(0, SigmaRuntime.of(again.rules()).regexes().budgetExceeded());
    }

    /** A condition nested 5,000 levels is a conversion error with a reason, not a StackOverflowError. */
    @Test
    void aDeeplyNestedConditionIsAConversionError(@TempDir Path dir) throws Exception {
        String cond = "(".repeat(5000) + "sel" + ")".repeat(5000);
        Files.writeString(dir.resolve("deep.yml"), rule("00000000-0000-0000-0000-0000000000c1",
                "  sel:\n    CommandLine|contains: x\n  condition: '" + cond + "'\n"));
        String nots = "not ".repeat(5000) + "sel";
        Files.writeString(dir.resolve("nots.yml"), rule("00000000-0000-0000-0000-0000000000c2",
                "  sel:\n    CommandLine|contains: x\n  condition: '" + nots + "'\n"));
        // Deep YAML: a search nested 5,000 mappings deep.
        Files.writeString(dir.resolve("yaml.yml"), rule("00000000-0000-0000-0000-0000000000c3",
                "  sel: " + "{a: ".repeat(5000) + "x" + "}".repeat(5000) + "\n  condition: sel\n"));
        ConversionReport r = SigmaConverter.standard().convertAll(List.of(dir));
        assertEquals(0, r.converted().size());
        assertEquals(3, r.failures().size(), r.failures().toString());
        for (ConversionReport.Failure f : r.failures()) {
            if (f.source().getFileName().toString().equals("yaml.yml")) {
                assertTrue(f.reason().equals("YAML") || f.detail().contains("nest"), f.toString());
            } else {
                assertEquals("condition nesting", f.reason(), f.toString());
                assertTrue(f.detail().contains("deeper than " + SigmaCondition.MAX_DEPTH), f.detail());
            }
        }
    }
}
