package io.procwatch.toolkit;

import io.procwatch.TestRules;
import io.procwatch.SharedData;
import io.procwatch.detect.RuleSet;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Runs every detection test spec of {@code rules-drl/tests/} against {@code rules-drl/}, so the Maven test phase
 * (and CI) fails when a rule edit breaks its own tests. Background cases on the shared datasets are skipped
 * with a notice when {@code ../shared} is absent.
 */
class RuleSpecsTest {

    @Test
    void everySpecUnderRulesDrlTestsPasses() throws Exception {
        Path rulesDir = Path.of("rules-drl");
        List<DetectionTestSpec> specs = DetectionTestSpec.loadAll(rulesDir.resolve("tests"));
        assertFalse(specs.isEmpty(), "no specs under rules-drl/tests");
        RuleSet rules = RuleSet.fromDirectory(rulesDir);
        List<DetectionTestRunner.CaseResult> results =
                new DetectionTestRunner(rules, SharedData.root()).run(specs);
        String table = DetectionTestRunner.table(results);
        System.out.print(table);
        for (DetectionTestRunner.CaseResult r : results) {
            if (r.status() == DetectionTestRunner.Status.SKIP) {
                System.err.println("NOTICE: skipped " + r.spec().getFileName() + " / " + r.caseName() + ": " + r.differences());
            }
        }
        if (results.stream().anyMatch(r -> r.status() == DetectionTestRunner.Status.FAIL)) {
            fail("detection tests failed:\n" + table);
        }
    }

    @Test
    void everyDetectionHasASpec() throws Exception {
        RuleSet rules = TestRules.rulesDrl();
        List<String> covered = DetectionTestSpec.loadAll(Path.of("rules-drl", "tests")).stream()
                .flatMap(s -> s.detectionIds().stream()).toList();
        for (var d : rules.catalog().detections()) {
            if (!covered.contains(d.id())) {
                fail("detection " + d.id() + " (" + d.title() + ") has no test spec under rules-drl/tests");
            }
        }
    }
}
