package io.procwatch.toolkit;

import io.procwatch.TestRules;
import io.procwatch.detect.RuleSet;
import io.procwatch.normalize.ProcessEvent;
import io.procwatch.read.evtx.EvtxReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Unit tests of validate, the spec runner and explain. */
class ToolkitTest {

    static final String PSUQ = "5fc297ae-25b6-488a-8f25-cc12ac29b744";
    static final String WSQE = "c4c0a2d4-0675-4fde-97b7-115145ba257c";

    static Map<Path, String> drl(Path dir) throws Exception {
        Map<Path, String> m = new LinkedHashMap<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.filter(f -> f.toString().endsWith(".drl")).sorted().toList()) {
                m.put(p, Files.readString(p));
            }
        }
        return m;
    }

    /** Copies rules-drl/*.drl to dir, replacing text in one file. */
    static Path copyRules(Path dir, String file, String from, String to) throws Exception {
        for (Map.Entry<Path, String> e : drl(Path.of("rules-drl")).entrySet()) {
            String text = e.getValue();
            if (e.getKey().getFileName().toString().equals(file)) {
                assertTrue(text.contains(from), "fixture text not found: " + from);
                text = text.replace(from, to);
            }
            Files.writeString(dir.resolve(e.getKey().getFileName()), text, StandardCharsets.UTF_8);
        }
        return dir;
    }

    // ---- validate

    private static List<ValidationIssue> bundledIssues;

    /** validate of rules-drl/, once per JVM for the tests that look at it (each call compiles the folder). */
    static synchronized List<ValidationIssue> bundledIssues() throws Exception {
        if (bundledIssues == null) {
            bundledIssues = List.copyOf(RuleValidator.validate(Path.of("rules-drl")));
        }
        return bundledIssues;
    }

    @Test
    void bundledRulesValidateClean() throws Exception {
        List<ValidationIssue> issues = bundledIssues();
        assertTrue(issues.stream().noneMatch(ValidationIssue::isError), issues.toString());
    }

    @Test
    void brokenMetadataIsReportedWithFileAndLine(@TempDir Path dir) throws Exception {
        String f = "windows_suspicious_qemu_execution.drl";
        copyRules(dir, f, "@riskScore( 50 )", "@riskScore( 150 )");
        String text = Files.readString(dir.resolve(f))
                .replace("@mitre( \"T1204.002, T1001, T1036, T1564.006\" )", "@mitre( \"T1204.2, TA0002\" )")
                .replace("@riskObject( \"dest\" )", "@riskObject( \"hostname\" )")
                .replace("@id( \"c4c0a2d4-0675-4fde-97b7-115145ba257c\" )", "@id( \"not-a-uuid\" )")
                .replace("@groupBy( \"Computer ", "@groupBy( \"Komputer ")
                .replace("@earliest( \"-70m@m\" )", "@earliest( \"-90m@x\" )");
        Files.writeString(dir.resolve(f), text);
        List<ValidationIssue> issues = RuleValidator.validate(drl(dir), null);
        List<String> lines = issues.stream().filter(ValidationIssue::isError).map(ValidationIssue::toString).toList();
        String all = String.join("\n", lines);
        int riskScoreLine = lineOf(text, "@riskScore");
        assertTrue(all.contains(f + ":" + riskScoreLine + ": error: rule 'Windows Suspicious QEMU Execution': @riskScore 150 is outside 0–100"), all);
        assertTrue(all.contains(f + ":" + lineOf(text, "@mitre") + ": error") && all.contains("@mitre 'T1204.2'")
                && all.contains("@mitre 'TA0002'"), all);
        assertTrue(all.contains(f + ":" + lineOf(text, "@riskObject(") + ": error") && all.contains("'hostname' is not a field"), all);
        assertTrue(all.contains(f + ":" + lineOf(text, "@id") + ": error") && all.contains("'not-a-uuid' is not a UUID"), all);
        assertTrue(all.contains("@groupBy field 'Komputer'"), all);
        assertTrue(all.contains(f + ":" + lineOf(text, "@earliest") + ": error") && all.contains("'x' is not a time unit"), all);
    }

    @Test
    void scheduleWindowsAreCheckedAtTheirAnnotation(@TempDir Path dir) throws Exception {
        String f = "windows_suspicious_qemu_execution.drl";
        // Overlapping windows are honoured (a match counts once per window that covers it): a warning.
        copyRules(dir, f, "@earliest( \"-70m@m\" )", "@earliest( \"-90m@m\" )");
        String text = Files.readString(dir.resolve(f));
        String all = RuleValidator.validate(drl(dir), null).toString();
        assertTrue(all.contains(f + ":" + lineOf(text, "@earliest") + ": warning") && all.contains("overlap")
                && all.contains("up to 2 notables"), all);
        // A range that ends before it starts, and a schedule that is not cron, are errors at their annotation.
        Files.writeString(dir.resolve(f), text.replace("@latest( \"-10m@m\" )", "@latest( \"-2h@h\" )"));
        List<String> errors = RuleValidator.validate(drl(dir), null).stream().filter(ValidationIssue::isError)
                .map(ValidationIssue::toString).toList();
        assertTrue(errors.stream().anyMatch(e -> e.contains(f + ":" + lineOf(text, "@latest") + ": error")
                && e.contains("is before earliest")), errors.toString());
        Files.writeString(dir.resolve(f), text.replace("@schedule( \"0 * * * *\" )", "@schedule( \"every hour\" )"));
        errors = RuleValidator.validate(drl(dir), null).stream().filter(ValidationIssue::isError)
                .map(ValidationIssue::toString).toList();
        assertTrue(errors.stream().anyMatch(e -> e.contains(f + ":" + lineOf(text, "@schedule") + ": error")
                && e.contains("not a five-field cron")), errors.toString());
        // The everyday Splunk form passes clean.
        Files.writeString(dir.resolve(f), text.replace("@earliest( \"-90m@m\" )", "@earliest( \"-1h@h\" )")
                .replace("@latest( \"-10m@m\" )", "@latest( \"@h\" )"));
        all = RuleValidator.validate(drl(dir), null).toString();
        assertFalse(all.contains(f + ":" + lineOf(text, "@earliest")), all);
    }

    @Test
    void duplicateIdsMissingTitleAndCompileErrorsAreErrors(@TempDir Path dir) throws Exception {
        String f = "potentially_suspicious_usage_of_qemu.drl";
        copyRules(dir, f, "@id( \"" + PSUQ + "\" )", "@id( \"" + WSQE + "\" )");
        String text = Files.readString(dir.resolve(f)).replace("    @title( \"Potentially Suspicious Usage Of Qemu\" )\n", "");
        Files.writeString(dir.resolve(f), text);
        Files.writeString(dir.resolve("broken.drl"), "package io.procwatch.rules;\nimport io.procwatch.normalize.ProcessEvent;\n"
                + "rule \"broken\"\nwhen\n    ProcessEvent( nosuchField == 1 )\nthen\nend\n");
        String all = RuleValidator.validate(drl(dir), null).toString();
        assertTrue(all.contains("@id " + WSQE + " is also used by rule"), all);
        assertTrue(all.contains(f + ":" + lineOf(text, "rule \"Potentially") + ": error") && all.contains("missing @title"), all);
        assertTrue(all.contains("broken.drl"), all);
    }

    @Test
    void filterForUnknownDetectionIsAnError(@TempDir Path dir) throws Exception {
        String f = "windows_suspicious_qemu_execution_filter.drl";
        copyRules(dir, f, "import io.procwatch.detect.Match;", "import io.procwatch.detect.Match;\n\n"
                + "rule \"stale filter\"\n    salience 100\nwhen\n    $m : Match( ruleId == \"00000000-0000-0000-0000-000000000000\", suppressedBy == null )\n"
                + "then\n    modify( $m ) { suppress( drools.getRule().getName() ) }\nend\n");
        String all = RuleValidator.validate(drl(dir), null).toString();
        assertTrue(all.contains("stale filter") && all.contains("which no detection has"), all);
    }

    @Test
    void rulesRunInNamedPhases(@TempDir Path dir) throws Exception {
        String f = "windows_suspicious_qemu_execution_filter.drl";
        String body = "when\n    $m : Match( ruleId == \"" + WSQE + "\", suppressedBy == null )\n"
                + "then\n    modify( $m ) { suppress( drools.getRule().getName() ) }\nend\n\n";
        copyRules(dir, f, "import io.procwatch.detect.Match;", "import io.procwatch.detect.Match;\n\n"
                + "rule \"untagged filter\"\n    salience 100\n" + body
                + "rule \"misplaced filter\"\n    salience -100  // Phase.AGGREGATE\n" + body
                + "rule \"unknown phase\"\n    salience 100  // Phase.LATER\n" + body
                + "rule \"mistagged\"\n    salience 50  // Phase.FILTER\n" + body
                + "rule \"not a phase\"\n    salience 7\n" + body
                + "rule \"expression\"\n    salience( io.procwatch.detect.Phase.FILTER.salience )\n" + body);
        String det = "potentially_suspicious_usage_of_qemu.drl";
        String detText = Files.readString(Path.of("rules-drl", det)).replaceFirst("\nwhen\n", "\n    salience -200  // Phase.EMIT\nwhen\n");
        Files.writeString(dir.resolve(det), detText);
        String text = Files.readString(dir.resolve(f));
        List<ValidationIssue> issues = RuleValidator.validate(drl(dir), null);
        String all = issues.toString();
        assertTrue(has(issues, false, f + ":" + (lineOf(text, "rule \"untagged") + 1), "name it, salience 100  // Phase.FILTER"), all);
        assertTrue(has(issues, false, "misplaced filter", "filter rules need salience 100  // Phase.FILTER"), all);
        assertTrue(has(issues, true, f + ":" + (lineOf(text, "rule \"unknown") + 1), "phase 'LATER'"), all);
        assertTrue(has(issues, true, f + ":" + (lineOf(text, "rule \"mistagged") + 1), "salience 50 is phase CORRELATE, not Phase.FILTER"), all);
        assertTrue(has(issues, true, f + ":" + (lineOf(text, "rule \"not a phase") + 1), "salience 7 is not a phase"), all);
        assertTrue(has(issues, true, f + ":" + (lineOf(text, "rule \"expression") + 1), "is an expression"), all);
        assertTrue(has(issues, true, det + ":" + lineOf(detText, "salience -200"), "a detection runs in phase DETECT"), all);
        // The bundled rules name every phase they use.
        assertTrue(bundledIssues().stream().noneMatch(i -> i.toString().contains("salience")));
    }

    private static boolean has(List<ValidationIssue> issues, boolean error, String at, String message) {
        return issues.stream().anyMatch(i -> i.isError() == error && i.toString().contains(at) && i.toString().contains(message));
    }

    static int lineOf(String text, String needle) {
        return RuleValidator.lineOf(text, text.indexOf(needle));
    }

    // ---- test runner

    @Test
    void wrongExpectationReportsTheDifferences(@TempDir Path dir) throws Exception {
        Path spec = dir.resolve("wrong.yml");
        Path events = Path.of("rules-drl/tests/events/wsqe-positive.xml").toAbsolutePath();
        Files.writeString(spec, "detection: " + WSQE + "\ncases:\n  - name: wrong on purpose\n    events: [\"" + events + "\"]\n"
                + "    matches: 3\n    notables:\n      - {count: 1, firstTime: \"2024-03-04T10:52:10\", dest: WKS-OTHER}\n");
        RuleSet rules = TestRules.rulesDrl();
        List<DetectionTestRunner.CaseResult> r = new DetectionTestRunner(rules, dir).run(DetectionTestSpec.load(spec));
        assertEquals(1, r.size());
        assertEquals(DetectionTestRunner.Status.FAIL, r.get(0).status());
        String table = DetectionTestRunner.table(r);
        assertTrue(table.contains("matches: expected 3, got 2"), table);
        assertTrue(table.contains("notable 1 count: expected '1', got '2'"), table);
        assertTrue(table.contains("notable 1 dest: expected 'WKS-OTHER', got 'WKS-FIN-07'"), table);
        assertFalse(table.contains("firstTime"), table);
    }

    @Test
    void missingSharedDataIsSkippedNotFailed(@TempDir Path dir) throws Exception {
        Path spec = dir.resolve("bg.yml");
        Files.writeString(spec, "detection: \"*\"\ncases:\n  - name: bg\n    events: [\"${shared}/datasets/nothing-here\"]\n    matches: 0\n");
        RuleSet rules = TestRules.rulesDrl();
        List<DetectionTestRunner.CaseResult> r = new DetectionTestRunner(rules, dir).run(DetectionTestSpec.load(spec));
        assertEquals(DetectionTestRunner.Status.SKIP, r.get(0).status());
    }

    // ---- explain

    static ProcessEvent event(String ref) throws Exception {
        return EventPicker.pick(ref, EvtxReader::new).event();
    }

    @Test
    void explainPositive() throws Exception {
        RuleSet rules = TestRules.rulesDrl();
        MatchExplainer.Explanation x = MatchExplainer.explain(rules, drl(Path.of("rules-drl")), WSQE,
                event("rules-drl/tests/events/wsqe-or-branches.xml:2"));
        assertTrue(x.fired());
        assertNull(x.suppressedBy());
        assertEquals(5, x.conditions().size());
        x.conditions().forEach(c -> assertEquals(Boolean.TRUE, c.held(), c.expression()));
        MatchExplainer.Condition or = x.conditions().get(4);
        assertEquals(List.of(false, true, false), or.branches().stream().map(MatchExplainer.Condition::held).toList());
        assertTrue(x.text().contains("Result: FIRED"), x.text());
    }

    @Test
    void explainNegative() throws Exception {
        RuleSet rules = TestRules.rulesDrl();
        MatchExplainer.Explanation x = MatchExplainer.explain(rules, drl(Path.of("rules-drl")), PSUQ,
                event("rules-drl/tests/events/psuq-tricky-memory-sizes.xml:4"));   // -m 12M
        assertFalse(x.fired());
        MatchExplainer.Condition memory = x.conditions().get(1);
        assertEquals(Boolean.FALSE, memory.held());
        assertEquals(List.of(false, false, false), memory.branches().stream().map(MatchExplainer.Condition::held).toList());
        assertEquals(Boolean.TRUE, x.conditions().get(2).held());
        assertTrue(x.verdict().contains("DID NOT FIRE: 1 condition false"), x.verdict());
    }

    @Test
    void explainFiltered(@TempDir Path dir) throws Exception {
        copyRules(dir, "potentially_suspicious_usage_of_qemu_filter.drl", "import io.procwatch.detect.Match;",
                "import io.procwatch.detect.Match;\n\nrule \"relay filter\"\n    salience 100\nwhen\n"
                        + "    $m : Match( ruleId == \"" + PSUQ + "\", suppressedBy == null,\n"
                        + "                event.lc( \"dest\" ) == \"wks-fin-07\",\n"
                        + "                event.lc( \"user\" ) == \"corp\\\\svc-ci\" || event.lc( \"CommandLine\" ) contains \"connect=203.0.113.45:\" )\n"
                        + "then\n    modify( $m ) { suppress( drools.getRule().getName() ) }\nend\n");
        RuleSet rules = RuleSet.fromDirectory(dir);
        MatchExplainer.Explanation x = MatchExplainer.explain(rules, drl(dir), PSUQ,
                event("rules-drl/tests/events/psuq-positive-sysmon.xml"));
        assertTrue(x.fired());
        assertEquals("relay filter", x.suppressedBy());
        assertEquals(1, x.filters().size());
        MatchExplainer.FilterResult f = x.filters().get(0);
        assertTrue(f.suppressed());
        assertEquals(4, f.conditions().size());
        f.conditions().forEach(c -> assertEquals(Boolean.TRUE, c.held(), c.expression()));
        assertEquals(List.of(false, true), f.conditions().get(3).branches().stream().map(MatchExplainer.Condition::held).toList());
        assertTrue(x.text().contains("SUPPRESSED by filter rule 'relay filter'"), x.text());
    }

    /**
     * A converted Sigma rule goes through the same Drools probes as a hand-written one: each DRL constraint of its
     * SigmaCandidate pattern is evaluated by Drools; the prefilter guard is shown as index information only.
     */
    @Test
    void explainSigma(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("qemu.yml"), "title: QEMU headless relay\nid: 0a7c3c1e-6c55-4f3e-9d7e-5b6c2f0e0003\n"
                + "level: high\nlogsource: {category: process_creation, product: windows}\ndetection:\n"
                + "  sel:\n    CommandLine|contains|all: ['-netdev', 'restrict=off']\n"
                + "  filter:\n    CommandLine|contains: ' -cdrom '\n  condition: sel and not filter\n");
        Map<Path, String> files = io.procwatch.sigma.SigmaRules.drlWithSigma(Path.of("rules-drl"), List.of(dir),
                new java.io.PrintWriter(java.io.Writer.nullWriter()));
        RuleSet rules = RuleSet.compile(files, "test");
        String id = "0a7c3c1e-6c55-4f3e-9d7e-5b6c2f0e0003";

        MatchExplainer.Explanation yes = MatchExplainer.explain(rules, files, id,
                event("rules-drl/tests/events/psuq-positive-sysmon.xml"));
        assertTrue(yes.fired(), yes.text());
        assertNotNull(yes.prefilter());
        assertFalse(yes.prefilter().hits().isEmpty(), "a guard needle is found");
        List<String> exprs = yes.conditions().stream().map(MatchExplainer.Condition::expression).toList();
        assertTrue(exprs.contains("lc( \"CommandLine\" ) contains \"restrict=off\""), exprs.toString());
        assertTrue(exprs.contains("!( lc( \"CommandLine\" ) contains \" -cdrom \" )"), exprs.toString());
        yes.conditions().forEach(c -> assertEquals(Boolean.TRUE, c.held(), c.expression()));
        assertTrue(yes.text().contains("CommandLine = \"qemu-system"), yes.text());

        MatchExplainer.Explanation cdrom = MatchExplainer.explain(rules, files, id,
                event("rules-drl/tests/events/psuq-tricky-filter-terms.xml:2"));   // "... -cdrom boot.iso"
        assertFalse(cdrom.fired(), cdrom.text());
        assertEquals("DID NOT FIRE: 1 condition false: !( lc( \"CommandLine\" ) contains \" -cdrom \" )", cdrom.verdict());

        MatchExplainer.Explanation ipconfig = MatchExplainer.explain(rules, files, id,
                event("examples/01-sysmon-qemu.xml:5"));
        assertFalse(ipconfig.fired());
        assertTrue(ipconfig.prefilter().hits().isEmpty());
        assertTrue(ipconfig.verdict().startsWith("DID NOT FIRE: 2 conditions false"), ipconfig.verdict());

        assertNull(MatchExplainer.explain(rules, files, WSQE, event("rules-drl/tests/events/wsqe-or-branches.xml:2")).prefilter(),
                "a DRL rule has no prefilter part");
    }

    @Test
    void notAProcessEvent() throws Exception {
        EventPicker.Picked p = EventPicker.pick("rules-drl/tests/events/psuq-not-process-creation.xml:1", EvtxReader::new);
        assertNull(p.event());
        assertNotNull(p.note());
    }

    @Test
    void splitOrRespectsQuotesAndParentheses() {
        assertEquals(List.of("a == \"x || y\"", "(b || c) && d"), MatchExplainer.splitOr("( a == \"x || y\" || (b || c) && d )"));
    }
}
