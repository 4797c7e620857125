package io.procwatch.sigma;

import io.procwatch.aggregate.Notable;
import io.procwatch.detect.RuleSet;
import io.procwatch.detect.model.CompiledRuleCache;
import io.procwatch.normalize.ProcessEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 17: {@code --sigma DIR} compiled once into Drools' executable model and kept in the compiled-rule cache. A
 * hit gives the same notables as the DRL compile, a changed rule file is a miss, a damaged entry is rebuilt.
 */
class SigmaRuleCacheTest {

    private static final String QUOTED = "00000000-0000-0000-0000-00000000ca01";
    private static final String LONG = "00000000-0000-0000-0000-00000000ca02";
    private static final String KEYWORD = "00000000-0000-0000-0000-00000000ca03";

    /** The base DRL (model, aggregation, throttle, risk) as a rules folder. */
    private static Path rulesDir(Path dir) throws Exception {
        Path d = Files.createDirectories(dir.resolve("drl"));
        for (Map.Entry<Path, String> f : SigmaTestSupport.baseDrl().entrySet()) {
            Files.writeString(d.resolve(f.getKey().getFileName()), f.getValue());
        }
        return d;
    }

    /**
     * A title with double quotes and a backslash (the executable model copies rule names into Java source), a list
     * of 100 alternatives (nested in groups by the converter), a keyword search (no guard: evaluated on every event).
     */
    private static Path sigmaDir(Path dir, String needle) throws Exception {
        Path d = Files.createDirectories(dir.resolve("sigma"));
        String head = "level: high\nlogsource: {category: process_creation, product: windows}\ndetection:\n";
        Files.writeString(d.resolve("quoted.yml"), "title: 'The \"quoted\" C:\\Temp rule'\nid: " + QUOTED + "\n" + head
                + "  sel:\n    CommandLine|contains: '" + needle + "'\n  condition: sel\n");
        StringBuilder many = new StringBuilder();
        for (int i = 0; i < 100; i++) {
            many.append("      - 'tool").append(i).append(".exe'\n");
        }
        Files.writeString(d.resolve("long.yml"), "title: long list\nid: " + LONG + "\n" + head
                + "  sel:\n    Image|endswith:\n" + many + "  condition: sel\n");
        Files.writeString(d.resolve("keyword.yml"), "title: keyword\nid: " + KEYWORD + "\n" + head
                + "  keywords:\n    - 'perfc.dat'\n  condition: keywords\n");
        return d;
    }

    private static List<ProcessEvent> events() {
        List<ProcessEvent> l = new ArrayList<>();
        String[][] rows = {
            {"CommandLine", "cmd /c whoami /all", "Image", "c:\\windows\\system32\\cmd.exe"},
            {"CommandLine", "x.exe --flag", "Image", "c:\\tools\\TOOL42.EXE"},
            {"CommandLine", "rundll32 c:\\perfc.dat,#1", "Image", "c:\\windows\\system32\\rundll32.exe"},
            {"CommandLine", "cmd /c whoami /priv", "Image", "c:\\tools\\tool7.exe"},
            {"CommandLine", "notepad", "Image", "c:\\windows\\notepad.exe"},
        };
        long t = 1_700_000_000_000L;
        for (String[] r : rows) {
            ProcessEvent e = SigmaSpecTest.ev(r);
            l.add(e.withTime(t));
            t += 60_000;
        }
        return l;
    }

    private static List<String> notables(RuleSet rules) {
        List<String> out = new ArrayList<>();
        for (Notable n : SigmaTestSupport.run(rules, events()).notables()) {
            out.add(n.id() + " " + n.ruleId() + " " + n.fields());
        }
        out.sort(null);
        return out;
    }

    @Test
    void aHitGivesTheNotablesOfTheColdBuildAndAChangedFileIsAMiss(@TempDir Path dir) throws Exception {
        Path drl = rulesDir(dir);
        Path sigma = sigmaDir(dir, "whoami");
        CompiledRuleCache cache = new CompiledRuleCache(dir.resolve("cache"), "test");

        RuleSet asDrl = SigmaRules.withDrl(drl, List.of(sigma), new PrintWriter(new StringWriter()));
        StringWriter coldErr = new StringWriter();
        RuleSet cold = SigmaRules.withDrl(drl, List.of(sigma), new PrintWriter(coldErr, true), cache);
        assertTrue(cold.origin().endsWith("(executable model, cached)"), cold.origin());
        StringWriter warmErr = new StringWriter();
        RuleSet warm = SigmaRules.withDrl(drl, List.of(sigma), new PrintWriter(warmErr, true), cache);
        assertTrue(warm.origin().endsWith("(cached executable model)"), warm.origin());
        assertEquals(coldErr.toString(), warmErr.toString(), "the conversion's messages are printed again on a hit");

        List<String> expected = notables(asDrl);
        for (String id : List.of(QUOTED, LONG, KEYWORD)) {
            assertTrue(expected.stream().anyMatch(n -> n.contains(" " + id + " ")), id + " raised a notable: " + expected);
        }
        assertEquals(expected, notables(cold));
        assertEquals(expected, notables(warm));
        // The prefilter reads its guards from the executable model's constraints as from DRL's.
        SigmaPrefilter fromModel = SigmaRuntime.of(warm).prefilter();
        SigmaPrefilter fromDrl = SigmaRuntime.of(asDrl).prefilter();
        for (String id : List.of(QUOTED, LONG, KEYWORD)) {
            assertEquals(fromDrl.guard(id), fromModel.guard(id), id);
            assertEquals(!id.equals(KEYWORD), fromModel.guard(id) != null, id + " guarded (a keyword is not)");
        }
        assertEquals(1, fromModel.unguardedCount());

        // A changed rule file: a new key, converted and compiled again, and it behaves as changed.
        Files.writeString(sigma.resolve("quoted.yml"), Files.readString(sigma.resolve("quoted.yml")).replace("whoami", "notepad"));
        RuleSet changed = SigmaRules.withDrl(drl, List.of(sigma), new PrintWriter(new StringWriter()), cache);
        assertTrue(changed.origin().endsWith("(executable model, cached)"), changed.origin());
        assertNotEquals(expected, notables(changed));
        assertEquals(notables(SigmaRules.withDrl(drl, List.of(sigma), new PrintWriter(new StringWriter()))), notables(changed));
    }

    @Test
    void aDamagedEntryIsRebuilt(@TempDir Path dir) throws Exception {
        Path drl = rulesDir(dir);
        Path sigma = sigmaDir(dir, "whoami");
        CompiledRuleCache cache = new CompiledRuleCache(dir.resolve("cache"), "test");
        List<String> expected = notables(SigmaRules.withDrl(drl, List.of(sigma), new PrintWriter(new StringWriter()), cache));
        // Damage the entry: every class file emptied.
        try (Stream<Path> s = Files.walk(cache.root())) {
            for (Path p : s.filter(p -> p.toString().endsWith(".class")).toList()) {
                Files.write(p, new byte[0]);
            }
        }
        RuleSet again = SigmaRules.withDrl(drl, List.of(sigma), new PrintWriter(new StringWriter()), cache);
        assertTrue(again.origin().endsWith("(executable model, cached)"), "built again: " + again.origin());
        assertEquals(expected, notables(again));
        RuleSet hit = SigmaRules.withDrl(drl, List.of(sigma), new PrintWriter(new StringWriter()), cache);
        assertTrue(hit.origin().endsWith("(cached executable model)"), hit.origin());
        assertEquals(expected, notables(hit));
    }
}
