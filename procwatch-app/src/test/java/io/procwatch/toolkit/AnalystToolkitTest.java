package io.procwatch.toolkit;

import io.procwatch.TestRules;
import io.procwatch.detect.RuleSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static io.procwatch.toolkit.ToolkitTest.WSQE;
import static io.procwatch.toolkit.ToolkitTest.copyRules;
import static io.procwatch.toolkit.ToolkitTest.drl;
import static io.procwatch.toolkit.ToolkitTest.lineOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** validate's field-name check and test's explanation of a failed case. */
class AnalystToolkitTest {

    @Test
    void misspeltFieldInLcIsAnErrorWithDidYouMean(@TempDir Path dir) throws Exception {
        String f = "windows_suspicious_qemu_execution.drl";
        copyRules(dir, f, "lc( \"Description\" )", "lc( \"Descripton\" )");
        String text = Files.readString(dir.resolve(f));
        List<ValidationIssue> issues = RuleValidator.validate(drl(dir), null);
        List<String> errors = issues.stream().filter(ValidationIssue::isError).map(ValidationIssue::toString).toList();
        assertEquals(1, errors.size(), errors.toString());
        assertTrue(errors.get(0).contains(f + ":" + lineOf(text, "lc( \"Descripton\" )") + ": error"), errors.get(0));
        assertTrue(errors.get(0).contains("lc(\"Descripton\") reads a field no process event carries"), errors.get(0));
        assertTrue(errors.get(0).contains("did you mean \"Description\"?"), errors.get(0));
    }

    @Test
    void filterFieldsAndOtherCallsAreCheckedToo(@TempDir Path dir) throws Exception {
        copyRules(dir, "windows_suspicious_qemu_execution_filter.drl", "import io.procwatch.detect.Match;",
                "import io.procwatch.detect.Match;\n\nrule \"lab\"\n    salience 100\nwhen\n"
                        + "    $m : Match( ruleId == \"" + WSQE + "\", suppressedBy == null, event.has( \"commandline\" ),\n"
                        + "                event.get( \"NoSuchThingAtAll\" ) != null )\n"
                        + "then\n    modify( $m ) { suppress( drools.getRule().getName() ) }\nend\n");
        String all = RuleValidator.validate(drl(dir), null).toString();
        assertTrue(all.contains("has(\"commandline\") reads a field no process event carries (the condition is never "
                + "true); did you mean \"CommandLine\"?"), all);
        assertTrue(all.contains("get(\"NoSuchThingAtAll\") reads a field no process event carries (the condition is "
                + "never true)]") || all.contains("get(\"NoSuchThingAtAll\") reads a field no process event carries (the"
                + " condition is never true),"), all);
        assertTrue(ToolkitTest.bundledIssues().stream().noneMatch(ValidationIssue::isError));
    }

    /** A case expecting a match the rule does not make names the event and the false condition. */
    @Test
    void failedCaseSaysWhichConditionMadeTheDifference(@TempDir Path dir) throws Exception {
        Path events = Path.of("rules-drl/tests/events/wsqe-tricky.xml").toAbsolutePath();
        Path spec = dir.resolve("tricky.yml");
        Files.writeString(spec, "detection: " + WSQE + "\ncases:\n  - name: expects too much\n    events: [\""
                + events + "\"]\n    matches: 9\n");
        RuleSet rules = TestRules.rulesDrl();
        List<DetectionTestRunner.CaseResult> r = new DetectionTestRunner(rules, dir)
                .explainingWith(RuleSet.readDrlFiles(Path.of("rules-drl"))).run(DetectionTestSpec.load(spec));
        String table = DetectionTestRunner.table(r);
        assertTrue(table.contains("- why: " + events + ":"), table);
        assertTrue(table.contains("DID NOT FIRE: 1 condition false: lc( \"Description\" ) contains \"qemu machine\""), table);
    }

    /** A filter that should have suppressed a match but did not: its false condition is named. */
    @Test
    void failedSuppressionNamesTheFilterCondition(@TempDir Path dir) throws Exception {
        Path rules = Files.createDirectories(dir.resolve("rules"));
        copyRules(rules, "windows_suspicious_qemu_execution_filter.drl", "import io.procwatch.detect.Match;",
                "import io.procwatch.detect.Match;\n\nrule \"lab host\"\n    salience 100\nwhen\n"
                        + "    $m : Match( ruleId == \"" + WSQE + "\", suppressedBy == null,\n"
                        + "                event.lc( \"dest\" ) == \"wks-lab-01\" )\n"
                        + "then\n    modify( $m ) { suppress( drools.getRule().getName() ) }\nend\n");
        Path events = Path.of("rules-drl/tests/events/wsqe-positive.xml").toAbsolutePath();
        Path spec = dir.resolve("lab.yml");
        Files.writeString(spec, "detection: " + WSQE + "\ncases:\n  - name: lab host is a known FP\n    events: [\""
                + events + "\"]\n    matches: 2\n    suppressed: 2\n");
        List<DetectionTestRunner.CaseResult> r = new DetectionTestRunner(RuleSet.fromDirectory(rules), dir)
                .explainingWith(RuleSet.readDrlFiles(rules)).run(DetectionTestSpec.load(spec));
        String table = DetectionTestRunner.table(r);
        assertTrue(table.contains("suppressed: expected 2, got 0"), table);
        assertTrue(table.contains("fired and no filter rule suppressed it; filter 'lab host': false: event.lc( \"dest\" )"
                + " == \"wks-lab-01\""), table);
    }
}
