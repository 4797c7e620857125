package io.procwatch.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.parallel.Isolated;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code procwatch scan} end to end, as the README runs it. */
@Isolated("captures System.err")
class ScanCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Runs the CLI with stderr captured. */
    static int run(ByteArrayOutputStream err, String... args) {
        PrintStream old = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            return ProcwatchCli.run(args);
        } finally {
            System.setErr(old);
        }
    }

    @Test
    void bundledExamplesGiveTheDocumentedNotables(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("notables.ndjson");
        Path stats = dir.resolve("stats.json");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = run(err, "scan", "--no-progress", "--out", out.toString(), "--stats", stats.toString(), "examples");
        assertEquals(ExitCodes.OK, code, err.toString());
        List<String> lines = Files.readAllLines(out);
        assertEquals(4, lines.size(), String.join("\n", lines));
        JsonNode first = JSON.readTree(lines.get(0));
        assertEquals("5fc297ae-25b6-488a-8f25-cc12ac29b744", first.get("rule_id").asText());
        assertEquals(2, first.get("count").asInt());
        assertEquals("WKS-FIN-07", first.get("risk_object").asText());
        assertEquals("2024-03-04T10:50:00Z", first.get("window_start").asText());
        JsonNode s = JSON.readTree(stats.toFile());
        assertEquals(12, s.get("events").asInt());
        assertEquals(10, s.get("process_events").asInt());
        assertEquals(0, s.get("rejected").asInt());
        assertEquals(5, s.get("matches").asInt());
        assertEquals(4, s.get("notables").asInt());
        assertEquals(2, s.get("per_rule").get("c4c0a2d4-0675-4fde-97b7-115145ba257c").get("notables").asInt());
        assertTrue(err.toString().contains("Windows Suspicious QEMU Execution"), err.toString());

        // Same input, byte-identical output.
        Path again = dir.resolve("again.ndjson");
        assertEquals(ExitCodes.OK, run(new ByteArrayOutputStream(), "scan", "-q", "--out", again.toString(), "examples"));
        assertEquals(Files.readString(out), Files.readString(again));
    }

    @Test
    void editedRulesDirectoryTakesEffectWithoutRebuild(@TempDir Path dir) throws Exception {
        Path rules = dir.resolve("rules");
        Files.createDirectories(rules);
        try (var s = Files.list(Path.of("rules-drl"))) {
            for (Path p : s.filter(p -> p.toString().endsWith(".drl")).toList()) {
                Files.copy(p, rules.resolve(p.getFileName()));
            }
        }
        Path filter = rules.resolve("windows_suspicious_qemu_execution_filter.drl");
        Files.writeString(filter, Files.readString(filter) + """
                rule "QEMU lab host"
                    salience 100
                when
                    $m : Match( ruleId == "c4c0a2d4-0675-4fde-97b7-115145ba257c", suppressedBy == null,
                                event.lc( "dest" ) == "srv-db-02" )
                then
                    modify( $m ) { suppress( drools.getRule().getName() ) }
                end
                """);
        Path stats = dir.resolve("stats.json");
        assertEquals(ExitCodes.OK, run(new ByteArrayOutputStream(), "scan", "-q", "--rules", rules.toString(),
                "--out", dir.resolve("n.json").toString(), "--stats", stats.toString(), "examples"));
        JsonNode rule = JSON.readTree(stats.toFile()).get("per_rule").get("c4c0a2d4-0675-4fde-97b7-115145ba257c");
        assertEquals(2, rule.get("matches").asInt());
        assertEquals(1, rule.get("suppressed").asInt());
        assertEquals(1, rule.get("notables").asInt());
    }

    @Test
    void ruleCompileErrorNamesFileAndLineAndExits3(@TempDir Path dir) throws Exception {
        Path rules = Files.createDirectories(dir.resolve("rules"));
        Files.writeString(rules.resolve("broken.drl"), """
                package io.procwatch.rules;
                import io.procwatch.normalize.ProcessEvent;
                rule "broken"
                when
                    $e : ProcessEvent( noSuchField == 1 )
                then
                end
                """);
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(ExitCodes.RULES, run(err, "scan", "--rules", rules.toString(), "examples"));
        assertTrue(err.toString().contains(rules.resolve("broken.drl") + ":"), err.toString());
    }

    @Test
    void badRecordsAreReportedAndCountedAndUnreadableInputExits4(@TempDir Path dir) throws Exception {
        Path bad = dir.resolve("mixed.json");
        Files.writeString(bad, """
                {"EventID":1,"Channel":"Microsoft-Windows-Sysmon/Operational","@timestamp":"2024-03-04T11:00:00Z","CommandLine":"a"}
                {"EventID":1,"Channel":"Microsoft-Windows-Sysmon/Operational","@timestamp":"not a time","CommandLine":"b"}
                {broken
                {"EventID":4624,"Channel":"Security","@timestamp":"2024-03-04T11:00:01Z"}
                """);
        Path stats = dir.resolve("stats.json");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = run(err, "scan", "--no-progress", "--stats", stats.toString(), "--out", dir.resolve("n").toString(),
                bad.toString(), dir.resolve("does-not-exist.xml").toString());
        assertEquals(ExitCodes.INPUT, code);
        String e = err.toString();
        assertTrue(e.contains(bad + ":2: process event has no usable time"), e);
        assertTrue(e.contains(bad + ":3: malformed JSON"), e);
        assertTrue(e.contains("does-not-exist.xml: no such file"), e);
        JsonNode s = JSON.readTree(stats.toFile());
        assertEquals(4, s.get("events").asInt());
        assertEquals(1, s.get("process_events").asInt());
        assertEquals(1, s.get("other_events").asInt());
        assertEquals(2, s.get("rejected").asInt());
        assertEquals(1, s.get("inputs_failed").asInt());
    }

    @Test
    void csvAndTableFormats(@TempDir Path dir) throws Exception {
        Path csv = dir.resolve("n.csv");
        assertEquals(ExitCodes.OK, run(new ByteArrayOutputStream(), "scan", "-q", "-f", "csv", "-o", csv.toString(), "examples"));
        List<String> rows = Files.readAllLines(csv);
        assertTrue(rows.get(0).startsWith("rule_id,rule_title,rule_description,severity"), rows.get(0));
        assertEquals(5, rows.size());
        Path table = dir.resolve("n.txt");
        assertEquals(ExitCodes.OK, run(new ByteArrayOutputStream(), "scan", "-q", "-f", "table", "-o", table.toString(), "examples"));
        assertTrue(Files.readString(table).contains("4 notables"));
        assertEquals(ExitCodes.USAGE, run(new ByteArrayOutputStream(), "scan", "-f", "xml", "examples"));
    }

    /** A folder {@code dir/sigma} holding one Sigma rule: CommandLine contains -nographic. */
    private static Path headlessSigmaRule(Path dir, String id) throws java.io.IOException {
        Path sigma = Files.createDirectories(dir.resolve("sigma"));
        Files.writeString(sigma.resolve("headless.yml"), "title: QEMU without a display\nid: " + id + "\nlevel: high\n"
                + "logsource: {category: process_creation, product: windows}\n"
                + "detection:\n  sel:\n    CommandLine|contains: '-nographic'\n  condition: sel\n");
        return sigma;
    }

    /** scan --sigma converts on the fly: the Sigma rule's notables beside the DRL rules', skipped rules counted. */
    @Test
    void scanWithSigmaRulesConvertedOnTheFly(@TempDir Path dir) throws Exception {
        Path sigma = headlessSigmaRule(dir, "0a7c3c1e-6c55-4f3e-9d7e-5b6c2f0e0001");
        Files.writeString(sigma.resolve("dns.yml"), "title: d\nid: 0a7c3c1e-6c55-4f3e-9d7e-5b6c2f0e0002\n"
                + "logsource: {category: dns_query, product: windows}\n"
                + "detection:\n  sel:\n    QueryName: x\n  condition: sel\n");
        Path out = dir.resolve("n.ndjson");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = run(err, "scan", "-q", "--sigma", sigma.toString(), "-o", out.toString(), "examples");
        assertEquals(ExitCodes.OK, code, err.toString());
        List<String> ids = Files.readAllLines(out).stream().map(l -> {
            try {
                return JSON.readTree(l).get("rule_id").asText();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }).toList();
        // The converted rule's risk events add up with the DRL detections' on the same hosts: risk incidents
        // (9b3e4c5d…, the 24-hour threshold rule) are notables too; they are not the DRL detections' notables.
        assertEquals(4, ids.stream().filter(id -> !id.startsWith("0a7c3c1e") && !id.startsWith("9b3e4c5d")).count(),
                "the DRL rules' notables: " + ids);
        assertTrue(ids.contains("0a7c3c1e-6c55-4f3e-9d7e-5b6c2f0e0001"), "the Sigma rule's: " + ids);
        assertTrue(err.toString().contains("1 Sigma rules skipped: their log source is not Windows process_creation"),
                err.toString());
    }

    /** procwatch test --sigma: a spec for a Sigma rule, converted on the fly, passes; a wrong expectation fails. */
    @Test
    void testSpecsForSigmaRules(@TempDir Path dir) throws Exception {
        Path sigma = headlessSigmaRule(dir, "0a7c3c1e-6c55-4f3e-9d7e-5b6c2f0e0004");
        Path events = Path.of("rules-drl/tests/events/psuq-positive-sysmon.xml").toAbsolutePath();
        Path spec = dir.resolve("headless.yml");
        Files.writeString(spec, "detection: 0a7c3c1e-6c55-4f3e-9d7e-5b6c2f0e0004\ncases:\n"
                + "  - name: Kaspersky line twice\n    events: [\"" + events + "\"]\n    matches: 2\n");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(ExitCodes.OK, run(err, "test", "--sigma", sigma.toString(), spec.toString()), err.toString());
        Files.writeString(spec, Files.readString(spec).replace("matches: 2", "matches: 3"));
        assertEquals(ExitCodes.TESTS_FAILED, run(new ByteArrayOutputStream(), "test", "--sigma", sigma.toString(),
                spec.toString()));
    }
}
