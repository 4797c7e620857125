package io.procwatch.detect;

import io.procwatch.TestRules;
import io.procwatch.aggregate.Notable;
import io.procwatch.detect.model.CompiledRuleCache;
import io.procwatch.engine.ScanOptions;
import io.procwatch.engine.ScanPipeline;
import io.procwatch.read.InputListener;
import io.procwatch.read.evtx.EvtxReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code --rules DIR} through the on-disk cache of executable-model classes: miss, hit, new key, broken rules. */
class CompiledRuleCacheTest {

    static List<String> notables(RuleSet rules) throws Exception {
        List<String> out = new ArrayList<>();
        new ScanPipeline(rules, ScanOptions.defaults(), EvtxReader::new).run(List.of(Path.of("examples")),
                (Notable n) -> out.add(n.fields().toString()), new InputListener() {
                }, p -> {
                });
        return out;
    }

    static long entries(Path cache) throws Exception {
        try (Stream<Path> s = Files.list(cache)) {
            return s.filter(Files::isDirectory).count();
        }
    }

    @Test
    void secondLoadComesFromTheCacheWithTheSameNotables(@TempDir Path tmp) throws Exception {
        Path rules = tmp.resolve("rules");
        Files.createDirectories(rules);
        try (Stream<Path> s = Files.list(Path.of("rules-drl"))) {
            for (Path p : s.filter(f -> f.toString().endsWith(".drl")).toList()) {
                Files.copy(p, rules.resolve(p.getFileName()));
            }
        }
        CompiledRuleCache cache = new CompiledRuleCache(tmp.resolve("cache"), "test");
        RuleSet first = RuleSet.fromDirectory(rules, cache);
        assertTrue(first.origin().endsWith("(executable model, cached)"), first.origin());
        assertEquals(1, entries(tmp.resolve("cache")));
        RuleSet second = RuleSet.fromDirectory(rules, cache);
        assertTrue(second.origin().endsWith("(cached executable model)"), second.origin());
        assertEquals(1, entries(tmp.resolve("cache")));

        List<String> drl = notables(TestRules.rulesDrl());
        assertEquals(4, drl.size());
        assertEquals(drl, notables(second));
        assertEquals(first.catalog().detections().size(), second.catalog().detections().size());

        // An edit is a new key; the old entry stays for whoever still runs those rules.
        Path f = rules.resolve("windows_suspicious_qemu_execution_filter.drl");
        Files.writeString(f, Files.readString(f) + "\n// edited\n");
        assertTrue(RuleSet.fromDirectory(rules, cache).origin().endsWith("(executable model, cached)"));
        assertEquals(2, entries(tmp.resolve("cache")));

        // Broken rules fail with the DRL compiler's file:line errors, as without cache; nothing is stored.
        Files.writeString(f, "package io.procwatch.rules\nrule \"broken\"\nwhen\n  nosuchthing()\nthen\nend\n");
        RuleCompileException e = assertThrows(RuleCompileException.class, () -> RuleSet.fromDirectory(rules, cache));
        assertTrue(e.problems().get(0).toString().startsWith(f.toString() + ":"), e.problems().toString());
        assertEquals(2, entries(tmp.resolve("cache")));
    }

    /** The bundled rules copied to {@code tmp/rules}, with {@code extra} added under the QEMU detection's risk type. */
    private static Path rulesWith(Path tmp, String extra) throws Exception {
        Path rules = tmp.resolve("rules");
        Files.createDirectories(rules);
        try (Stream<Path> s = Files.list(Path.of("rules-drl"))) {
            for (Path p : s.filter(f -> f.toString().endsWith(".drl")).toList()) {
                Files.copy(p, rules.resolve(p.getFileName()));
            }
        }
        Path qemu = rules.resolve("windows_suspicious_qemu_execution.drl");
        String anchor = "@riskObjectType( \"system\" )";
        Files.writeString(qemu, Files.readString(qemu).replace(anchor, anchor + "\n    " + extra));
        return rules;
    }

    @Test
    void aMapValuedAnnotationIsCachedInTheExecutableModelAsAString(@TempDir Path tmp) throws Exception {
        // Drools' model generator cannot hold @throttle's map value; MapAnnotations writes it as one string.
        Path rules = rulesWith(tmp, "@throttle( fields=\"dest\",\n        window=\"1d\" )");
        CompiledRuleCache cache = new CompiledRuleCache(tmp.resolve("cache"), "test");
        RuleSet compiled = RuleSet.fromDirectory(rules, cache);
        assertTrue(compiled.origin().endsWith("(executable model, cached)"), compiled.origin());
        RuleSet cached = RuleSet.fromDirectory(rules, cache);
        assertTrue(cached.origin().endsWith("(cached executable model)"), cached.origin());
        assertEquals(1, entries(tmp.resolve("cache")));
        RuleSet drl = RuleSet.compile(RuleSet.readDrlFiles(rules), "as DRL");
        for (RuleSet r : List.of(compiled, cached, drl)) {
            assertEquals(List.of("dest"), r.catalog().risk(TestRules.SPLUNK_ID).throttle().fields());
            assertEquals("1d", r.catalog().risk(TestRules.SPLUNK_ID).throttle().window());
        }
        assertEquals(notables(drl), notables(cached));
        assertEquals(4, notables(cached).size());
    }

    @Test
    void rulesTheExecutableModelCannotCompileAreCompiledAsDrl(@TempDir Path tmp) throws Exception {
        // A map-valued annotation MapAnnotations cannot write as a string (a value with a quote in it): Drools' model
        // generator throws UnsupportedOperationException on it ("cannot define a canonical representation for a
        // java.util.Map").
        Path rules = rulesWith(tmp, "@reviewed( by=\"it's me\", on=\"2026-12-02\" )");
        CompiledRuleCache cache = new CompiledRuleCache(tmp.resolve("cache"), "test");
        for (int run = 0; run < 2; run++) {   // the second run goes straight to DRL
            RuleSet r = RuleSet.fromDirectory(rules, cache);
            assertEquals(rules.toString(), r.origin());
            assertEquals(4, notables(r).size());
        }
        assertEquals(0, entries(tmp.resolve("cache")));
    }
}
