package io.procwatch.toolkit;

import io.procwatch.TestRules;
import io.procwatch.detect.RuleSet;
import io.procwatch.lookup.Lookups;
import io.procwatch.normalize.ProcessEvent;
import io.procwatch.read.evtx.EvtxReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** validate, test and explain on the risk annotations, risk events, incidents and factors. */
class RiskToolkitTest {

    static final String WSQE_RISK = "    @riskObject( \"dest\" )\n";

    static int lineOf(Path file, String needle) throws Exception {
        List<String> lines = Files.readAllLines(file);
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(needle)) {
                return i + 1;
            }
        }
        throw new AssertionError(needle + " not in " + file);
    }

    @Test
    void validateNamesFileAndLineOfBadRiskAnnotations(@TempDir Path dir) throws Exception {
        ToolkitTest.copyRules(dir, "windows_suspicious_qemu_execution.drl", WSQE_RISK, WSQE_RISK
                + "    @riskObjects( \"dest:system:50, usr:person:130\" )\n"
                + "    @threatObjects( \"process_name\" )\n"
                + "    @throttle( fields=\"dest nosuchfield\", window=\"1 week\" )\n");
        List<ValidationIssue> issues = RuleValidator.validate(dir);
        Path f = dir.resolve("windows_suspicious_qemu_execution.drl");
        List<String> errors = issues.stream().filter(ValidationIssue::isError).map(i -> i.line() + " " + i.message()).toList();
        int ro = lineOf(f, "@riskObjects"), to = lineOf(f, "@threatObjects"), th = lineOf(f, "@throttle");
        assertTrue(errors.contains(ro + " @riskObjects field 'usr' is not a field of ProcessEvent"), errors.toString());
        assertTrue(errors.contains(ro + " @riskObjects type 'person' is not one of [system, user, other]"), errors.toString());
        assertTrue(errors.contains(ro + " @riskObjects score 130 is outside 0–100"), errors.toString());
        assertTrue(errors.contains(to + " @threatObjects item 'process_name' is not field:type"), errors.toString());
        assertTrue(errors.contains(th + " @throttle field 'nosuchfield' is not a field of ProcessEvent"), errors.toString());
        assertTrue(errors.contains(th + " @throttle window '1 week' is not a duration like 30m, 24h or 7d"), errors.toString());
        assertTrue(issues.stream().filter(i -> i.message().startsWith("@riskObjects") || i.message().startsWith("@throttle"))
                .allMatch(i -> i.file().equals(f.toString())), issues.toString());
    }

    @Test
    void validateChecksIncidentRuleAnnotations(@TempDir Path dir) throws Exception {
        ToolkitTest.copyRules(dir, "risk_incidents.drl", "    @window( \"7d\" )", "    @window( \"30d\" )");
        Path f = dir.resolve("risk_incidents.drl");
        List<ValidationIssue> issues = RuleValidator.validate(dir);
        int line = lineOf(f, "@window( \"30d\" )");
        assertTrue(issues.stream().anyMatch(i -> i.isError() && i.line() == line && i.file().equals(f.toString())
                && i.message().startsWith("@window 30d is longer than risk events are kept")), issues.toString());
        assertTrue(ToolkitTest.bundledIssues().stream().noneMatch(ValidationIssue::isError));
    }

    @Test
    void validateNamesFileAndLineOfAnAssetIpThatIsNoAddressCidrOrRange(@TempDir Path dir) throws Exception {
        ToolkitTest.copyRules(dir, "risk_incidents.drl", "@window( \"7d\" )", "@window( \"7d\" )");
        Path assets = Files.createDirectories(dir.resolve("lookups")).resolve("assets.csv");
        Files.writeString(assets, "ip,nt_host,priority\n10.0.0.0/8,,low\n10.0.0.1-10.0.0.300,wks-02,high\n");
        List<ValidationIssue> issues = RuleValidator.validate(dir);
        assertTrue(issues.stream().anyMatch(i -> i.isError() && i.line() == 3 && i.file().equals(assets.toString())
                && i.message().contains("10.0.0.1-10.0.0.300")), issues.toString());
        Files.writeString(assets, "ip,nt_host,priority\n10.0.0.0/8,,low\n10.0.0.1-10.0.0.30,wks-02,high\n");
        assertTrue(RuleValidator.validate(dir).stream().noneMatch(i -> i.file().equals(assets.toString())));
    }

    @Test
    void specsStateExpectedRiskEventsAndIncidents(@TempDir Path dir) throws Exception {
        Files.copy(Path.of("rules-drl/tests/events/wsqe-tricky.xml"), dir.resolve("tricky.xml"));
        Path spec = dir.resolve("risk.yml");
        Files.writeString(spec, """
                detection: c4c0a2d4-0675-4fde-97b7-115145ba257c
                cases:
                  - name: three QEMU results on one host add up to an incident
                    events: [tricky.xml]
                    matches: 3
                    risk_events:
                      - {risk_object_type: system, risk_score: 50, calculated_risk_score: 50, source: Windows Suspicious QEMU Execution}
                      - {risk_score: 50}
                      - {risk_score: 50}
                    incidents:
                      - {rule_title: Risk Threshold Exceeded For Object Over 24 Hour Period, risk_score: 150, severity: medium, risk_event_count: 3}
                  - name: a wrong expectation fails
                    events: [tricky.xml]
                    matches: 3
                    incidents: []
                """);
        List<DetectionTestRunner.CaseResult> r = new DetectionTestRunner(TestRules.rulesDrl(), dir)
                .run(DetectionTestSpec.load(spec));
        assertEquals(DetectionTestRunner.Status.PASS, r.get(0).status(), r.get(0).differences().toString());
        assertEquals(DetectionTestRunner.Status.FAIL, r.get(1).status());
        assertEquals(List.of("incidents: expected 0, got 1", "unexpected incident 1: system "
                        + r.get(1).differences().get(1).split(" system ")[1]),
                r.get(1).differences());
    }

    @Test
    void explainShowsTheRiskFactorsApplied(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("lookups"));
        Files.writeString(dir.resolve("lookups/assets.csv"), "nt_host,priority,category\nwks-fin-07,critical,server\n");
        RuleSet rules = TestRules.rulesDrl().withLookups(Lookups.fromRulesDirectory(dir));
        ProcessEvent e = EventPicker.pick("rules-drl/tests/events/wsqe-positive.xml", EvtxReader::new).event();
        String text = RiskExplainer.explain(rules, rules.catalog().byId(ToolkitTest.WSQE), e);
        assertTrue(text.contains("risk event system WKS-FIN-07: risk_score 50 -> calculated_risk_score 75"), text);
        assertTrue(text.contains("factor applied: Risk factor: Critical Priority Destination x1.5"), text);
        assertTrue(text.contains("dest_priority = critical"), text);
    }
}
