package io.procwatch.sigma;

import com.fasterxml.jackson.databind.JsonNode;
import io.procwatch.SharedData;
import io.procwatch.detect.RuleSet;
import io.procwatch.normalize.ProcessEvent;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SigmaHQ's own regression suite for Windows process_creation: every rule, converted and compiled together
 * with all the others in one KieBase, fires on its own regression events exactly {@code match_count} times
 * (at least once where none is given). Known failures are listed in {@link #EXPECTED_FAILURES} with the
 * spec clause involved.
 */
class SigmaRegressionTest {

    /** rule id → why the regression test cannot pass (spec clause). Empty when all pass. */
    static final Map<String, String> EXPECTED_FAILURES = Map.of();

    static ConversionReport report;
    static RuleSet rules;

    @BeforeAll
    static void convertCorpus() throws Exception {
        Path corpus = SharedData.require("sigmahq-sigma/rules/windows/process_creation");
        report = SigmaConverter.standard().convertAll(List.of(corpus));
        Map<Path, String> drl = new LinkedHashMap<>(SigmaTestSupport.baseDrl());
        drl.putAll(SigmaRules.toDrl(report, Path.of("sigma"), Set.of()));
        long t0 = System.nanoTime();
        rules = RuleSet.compile(drl, "sigma corpus");
        System.out.printf("compiled %d Sigma rules in %.1f s%n", report.converted().size(), (System.nanoTime() - t0) / 1e9);
    }

    /** The prefilter derives each rule's guard from the constraints Drools compiled: the converter's guard, or none. */
    @Test
    void guardsDerivedFromTheCompiledConstraintsAreTheConvertersGuards() {
        SigmaPrefilter pf = SigmaRuntime.of(rules).prefilter();
        List<String> differ = new java.util.ArrayList<>();
        for (SigmaConverter.Converted c : report.converted()) {
            if ((pf.guard(c.id()) != null) != c.guarded()) {
                differ.add(c.id() + " " + pf.guard(c.id()));
            }
        }
        assertEquals(List.of(), differ);
        assertEquals(report.converted().stream().filter(c -> !c.guarded()).count(), pf.unguardedCount());
    }

    @Test
    void everyProcessCreationRegressionTestMatches() throws Exception {
        Path reg = SharedData.require("sigma-regression/regression_data");
        Map<String, SigmaConverter.Converted> byId = new HashMap<>();
        report.converted().forEach(c -> byId.put(c.id(), c));
        Map<String, String> failures = new TreeMap<>();
        int tests = 0;
        List<Path> infos;
        try (Stream<Path> s = Files.walk(reg)) {
            infos = s.filter(p -> p.getFileName().toString().equals("info.yml") && p.toString().contains("process_creation"))
                    .sorted().toList();
        }
        for (Path info : infos) {
            JsonNode doc = SigmaConverter.YAML.readTree(info.toFile());
            String ruleId = doc.path("rule_metadata").path(0).path("id").asText();
            for (JsonNode t : doc.path("regression_tests_info")) {
                tests++;
                Path data = info.getParent().resolve(Path.of(t.path("path").asText()).getFileName());
                Path json = Path.of(data.toString().replaceAll("\\.evtx$", ".json"));
                Path input = Files.exists(json) ? json : data;
                long expected = t.has("match_count") ? t.path("match_count").asLong() : -1;
                if (!byId.containsKey(ruleId)) {
                    failures.put(ruleId, "not converted: " + report.failures().stream()
                            .filter(f -> ruleId.equals(f.id())).map(f -> f.reason() + " " + f.detail()).findFirst().orElse("rule not found"));
                    continue;
                }
                List<ProcessEvent> events = SigmaTestSupport.events(List.of(input));
                long got = SigmaTestSupport.run(rules, events).matchCounts().getOrDefault(ruleId, 0L);
                boolean ok = expected < 0 ? got >= 1 : got == expected;
                if (!ok) {
                    failures.put(ruleId, input.getFileName() + ": expected " + (expected < 0 ? ">=1" : expected)
                            + ", got " + got + " over " + events.size() + " process events");
                }
            }
        }
        System.out.printf("Sigma regression (process_creation): %d tests, %d failed%n", tests, failures.size());
        failures.forEach((k, v) -> System.out.println("  FAIL " + k + ": " + v + (EXPECTED_FAILURES.containsKey(k) ? " [expected: " + EXPECTED_FAILURES.get(k) + "]" : "")));
        assertTrue(tests >= 100, "regression tests found: " + tests);
        Map<String, String> unexpected = new TreeMap<>(failures);
        unexpected.keySet().removeAll(EXPECTED_FAILURES.keySet());
        assertEquals(Map.of(), unexpected);
    }

    @Test
    void corpusConvertsAtLeast99Percent() {
        System.out.print(report.toText().lines().limit(40).reduce("", (a, b) -> a + b + "\n"));
        int total = report.converted().size() + report.failures().size();
        double pct = 100.0 * report.converted().size() / total;
        System.out.printf("converted %.2f%% of %d process_creation rules%n", pct, total);
        assertTrue(pct >= 99.0, "converted only " + pct + "%");
    }
}
