package io.procwatch.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.parallel.Isolated;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static io.procwatch.cli.ScanCommandTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** scan as an analyst uses it: provenance, timeline, rule and time selection, summary, stdin, safe output. */
@Isolated("captures System.err")
class AnalystScanTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    static final String PSUQ = "5fc297ae-25b6-488a-8f25-cc12ac29b744";
    static final String WSQE = "c4c0a2d4-0675-4fde-97b7-115145ba257c";

    static List<JsonNode> lines(Path f) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String l : Files.readAllLines(f)) {
            out.add(JSON.readTree(l));
        }
        return out;
    }

    /** The table shows its times in --timezone; the stored fields (NDJSON, CSV) stay UTC. */
    @Test
    void tableTimesFollowTheTimezone(@TempDir Path dir) throws Exception {
        Path berlin = dir.resolve("berlin.txt");
        Path utc = dir.resolve("utc.txt");
        Path ndjson = dir.resolve("n.ndjson");
        assertEquals(ExitCodes.OK, run(new ByteArrayOutputStream(), "scan", "-q", "--format", "table",
                "--timezone", "Europe/Berlin", "-o", berlin.toString(), "examples"));
        assertEquals(ExitCodes.OK, run(new ByteArrayOutputStream(), "scan", "-q", "--format", "table",
                "-o", utc.toString(), "examples"));
        assertEquals(ExitCodes.OK, run(new ByteArrayOutputStream(), "scan", "-q", "--timezone", "Europe/Berlin",
                "-o", ndjson.toString(), "examples"));
        String b = Files.readString(berlin);
        String u = Files.readString(utc);
        // The window [10:50Z, 11:50Z) of WKS-FIN-07, first match 10:52:10 UTC: 11:50/11:52:10 in Berlin (UTC+1).
        assertTrue(b.contains("2024-03-04T11:50:00.000+01:00") && b.contains("2024-03-04T11:52:10.000+01:00"), b);
        assertTrue(!b.contains("10:50:00Z"), b);
        assertTrue(u.contains("2024-03-04T10:50:00Z") && u.contains("2024-03-04T10:52:10"), u);
        assertEquals("2024-03-04T10:50:00Z", lines(ndjson).get(0).get("window_start").asText());
    }

    /** Every notable lists its contributing events; each reference leads to the record it names. */
    @Test
    void notablesCarryTheProvenanceOfTheirEvents(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("n.ndjson");
        assertEquals(ExitCodes.OK, run(new ByteArrayOutputStream(), "scan", "-q", "-o", out.toString(), "examples"));
        List<JsonNode> notables = lines(out);
        assertEquals(4, notables.size());
        for (JsonNode n : notables) {
            JsonNode evidence = n.get("evidence");
            assertEquals(n.get("count").asInt(), evidence.size(), n.toString());
            for (JsonNode e : evidence) {
                Path file = Path.of(e.get("file").asText());
                String line = Files.readAllLines(file).get(e.get("line").asInt() - 1);
                assertEquals(file + ":" + e.get("line").asInt(), e.get("ref").asText());
                if (e.has("EventRecordID")) {
                    assertTrue(line.contains("<EventRecordID>" + e.get("EventRecordID").asText() + "<"), line);
                    assertTrue(line.contains(e.get("ProcessGuid").asText()), line);
                }
                assertTrue(line.contains(n.get("CommandLine") != null ? n.get("CommandLine").asText().substring(0, 20)
                        : "qemu"), line);
            }
            assertEquals("medium", n.get("rule_level").asText());
            assertTrue(n.get("rule_tags").size() > 0);
        }
        JsonNode psuq = notables.get(0);
        assertEquals(PSUQ, psuq.get("rule_id").asText());
        assertEquals("test", psuq.get("rule_status").asText());
        assertTrue(psuq.get("rule_tags").toString().contains("attack.command-and-control"), psuq.toString());
        assertEquals("examples/01-sysmon-qemu.xml:1", psuq.get("evidence").get(0).get("ref").asText());
        assertEquals("examples/01-sysmon-qemu.xml:3", psuq.get("evidence").get(1).get("ref").asText());
    }

    /** Sigma notables: the pivot fields of their first event, and the rule's level, status and tags. */
    @Test
    void sigmaNotablesCarryPivotFieldsAndRuleLabels(@TempDir Path dir) throws Exception {
        Path sigma = Files.createDirectories(dir.resolve("sigma"));
        Files.writeString(sigma.resolve("headless.yml"), """
                title: QEMU without a display
                id: 0a7c3c1e-6c55-4f3e-9d7e-5b6c2f0e0101
                status: experimental
                level: high
                tags: [attack.defense-evasion, attack.t1564.006, detection.threat-hunting]
                logsource: {category: process_creation, product: windows}
                detection:
                  sel:
                    CommandLine|contains: '-nographic'
                  condition: sel
                """);
        Path out = dir.resolve("n.ndjson");
        assertEquals(ExitCodes.OK, run(new ByteArrayOutputStream(), "scan", "-q", "--sigma", sigma.toString(),
                "--rule-id", "0a7c3c1e-6c55-4f3e-9d7e-5b6c2f0e0101", "-o", out.toString(), "examples"));
        // The Sigma rule's notables; its risk events may also raise risk incidents, which are notables of their own.
        List<JsonNode> notables = lines(out).stream().filter(n -> !n.has("risk_event_count")).toList();
        assertFalse(notables.isEmpty());
        for (JsonNode n : notables) {
            assertEquals("0a7c3c1e-6c55-4f3e-9d7e-5b6c2f0e0101", n.get("rule_id").asText());
            assertTrue(n.get("Image").asText().toLowerCase().contains("qemu"), n.toString());
            assertTrue(n.has("ParentImage"), n.toString());
            assertEquals("high", n.get("rule_level").asText());
            assertEquals("experimental", n.get("rule_status").asText());
            assertTrue(n.get("rule_tags").toString().contains("T1564.006"), n.toString());
            assertTrue(n.get("rule_tags").toString().contains("detection.threat-hunting"), n.toString());
        }
        JsonNode sysmon = notables.stream().filter(n -> n.get("CommandLine").asText().startsWith("qemu-system-i386.exe")
                && n.get("dest").asText().equals("WKS-FIN-07")).findFirst().orElseThrow();
        assertEquals("cmd.exe /c start /b qemu.bat", sysmon.get("ParentCommandLine").asText());
    }

    /** The timeline: one row per kept match, in time order, linked to its notable, in CSV and JSON lines. */
    @Test
    void timelineHasOneRowPerMatchInTimeOrder(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("n.ndjson");
        Path csv = dir.resolve("timeline.csv");
        Path jsonl = dir.resolve("timeline.json");
        assertEquals(ExitCodes.OK, run(new ByteArrayOutputStream(), "scan", "-q", "-o", out.toString(),
                "--timeline", csv.toString(), "examples"));
        assertEquals(ExitCodes.OK, run(new ByteArrayOutputStream(), "scan", "-q", "-o", dir.resolve("n2").toString(),
                "--timeline", jsonl.toString(), "--timezone", "+02:00", "examples"));
        Set<String> notableIds = new TreeSet<>();
        lines(out).forEach(n -> notableIds.add(n.get("notable_id").asText()));
        List<String> rows = Files.readAllLines(csv);
        assertTrue(rows.get(0).startsWith("time,computer,rule_title,level,user,Image,CommandLine"), rows.get(0));
        assertEquals(1 + 5, rows.size(), String.join("\n", rows));
        List<JsonNode> json = lines(jsonl);
        assertEquals(5, json.size());
        Set<String> linked = new TreeSet<>();
        String previous = "";
        for (JsonNode r : json) {
            assertTrue(r.get("time").asText().endsWith("+02:00"), r.toString());
            String utc = java.time.OffsetDateTime.parse(r.get("time").asText()).toInstant().toString();
            assertTrue(utc.compareTo(previous) >= 0, "time order: " + previous + " then " + utc);
            previous = utc;
            linked.add(r.get("notable_id").asText());
            assertTrue(r.get("ref").asText().startsWith("examples/"), r.toString());
        }
        assertEquals(notableIds, linked);
        assertEquals("2024-03-04T12:52:10.120+02:00", json.get(0).get("time").asText());
        assertEquals("WKS-FIN-07", json.get(0).get("computer").asText());
        assertEquals("examples/02-security-4688.json:1", json.get(4).get("ref").asText());
        assertTrue(rows.get(1).startsWith("2024-03-04T10:52:10.120Z,WKS-FIN-07,Potentially Suspicious Usage Of Qemu,medium,CORP\\jdoe,"), rows.get(1));
        // --timeline-format wins over the name
        Path forced = dir.resolve("timeline.txt");
        assertEquals(ExitCodes.OK, run(new ByteArrayOutputStream(), "scan", "-q", "-o", dir.resolve("n3").toString(),
                "--timeline", forced.toString(), "--timeline-format", "csv", "examples"));
        assertEquals(rows, Files.readAllLines(forced));
    }

    private static Set<String> ruleIds(Path out) throws Exception {
        Set<String> ids = new TreeSet<>();
        lines(out).forEach(n -> ids.add(n.get("rule_id").asText()));
        return ids;
    }

    private static Set<String> scanIds(Path dir, String... options) throws Exception {
        Path out = Files.createTempFile(dir, "n", ".ndjson");
        List<String> args = new ArrayList<>(List.of("scan", "-q", "-o", out.toString()));
        args.addAll(List.of(options));
        args.add("examples");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(ExitCodes.OK, run(err, args.toArray(String[]::new)), err.toString());
        return ruleIds(out);
    }

    /** Rule selection by level, status, tag and id. */
    @Test
    void rulesAreSelectedByLevelStatusTagAndId(@TempDir Path dir) throws Exception {
        assertEquals(Set.of(PSUQ, WSQE), scanIds(dir));
        assertEquals(Set.of(PSUQ, WSQE), scanIds(dir, "--min-level", "medium"));
        assertEquals(Set.of(), scanIds(dir, "--min-level", "high"));
        assertEquals(Set.of(PSUQ), scanIds(dir, "--status", "test"));
        assertEquals(Set.of(PSUQ), scanIds(dir, "--tag", "attack.t1090"));
        assertEquals(Set.of(PSUQ), scanIds(dir, "--tag", "attack.command_and_control"));
        assertEquals(Set.of(WSQE), scanIds(dir, "--tag", "T1564"));
        assertEquals(Set.of(PSUQ, WSQE), scanIds(dir, "--tag", "T1090,T1036"));
        assertEquals(Set.of(WSQE), scanIds(dir, "--rule-id", WSQE));
        assertEquals(Set.of(PSUQ), scanIds(dir, "--exclude-rule", WSQE));
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(ExitCodes.USAGE, run(err, "scan", "--min-level", "severe", "examples"));
        assertTrue(err.toString().contains("--min-level 'severe' is not one of"), err.toString());
    }

    /** --from/--to limit event time; events outside are counted, not evaluated. */
    @Test
    void eventTimeRangeLimitsTheScan(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("n.ndjson");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Path stats = dir.resolve("s.json");
        assertEquals(ExitCodes.OK, run(err, "scan", "--no-progress", "-o", out.toString(), "--stats", stats.toString(),
                "--from", "2024-03-04T11:00", "--to", "2024-03-04T12:00:00Z", "examples"));
        List<JsonNode> notables = lines(out);
        // [11:00, 12:00): WKS-FIN-07's QEMU at 11:05 and SRV-DB-02's at 11:50; not 10:52, 10:58 nor 12:20
        assertEquals(2, notables.size(), notables.toString());
        assertEquals("2024-03-04T11:05:00", notables.get(0).get("firstTime").asText());
        assertEquals("2024-03-04T11:50:00", notables.get(1).get("firstTime").asText());
        assertTrue(err.toString().contains("outside --from/--to"), err.toString());
        JsonNode s = JSON.readTree(stats.toFile());
        assertEquals(10, s.get("process_events").asInt());
        assertEquals(s.get("events").asInt(), s.get("process_events").asInt() + s.get("other_events").asInt()
                + s.get("rejected").asInt());
        // without an offset, the time is in --timezone: 13:00+02:00 is 11:00Z
        Path out2 = dir.resolve("n2.ndjson");
        assertEquals(ExitCodes.OK, run(new ByteArrayOutputStream(), "scan", "-q", "-o", out2.toString(),
                "--timezone", "+02:00", "--from", "2024-03-04T13:00", "--to", "2024-03-04T14:00", "examples"));
        assertEquals(Files.readString(out), Files.readString(out2));
        assertEquals(ExitCodes.USAGE, run(new ByteArrayOutputStream(), "scan", "--from", "yesterday", "examples"));
        assertEquals(ExitCodes.USAGE, run(new ByteArrayOutputStream(), "scan", "--from", "2024-03-05",
                "--to", "2024-03-04", "examples"));
    }

    /** The summary: by level then matches, only detections with matches unless -v, hosts, event time span. */
    @Test
    void summaryListsDetectionsWithHitsByLevelWithHostsAndTimes(@TempDir Path dir) throws Exception {
        Path rules = Files.createDirectories(dir.resolve("rules"));
        try (var s = Files.list(Path.of("rules-drl"))) {
            for (Path p : s.filter(p -> p.toString().endsWith(".drl")).toList()) {
                Files.copy(p, rules.resolve(p.getFileName()));
            }
        }
        String longTitle = "A detection whose title is far longer than any column could hold, so it goes last on its row";
        Files.writeString(rules.resolve("never.drl"), """
                package io.procwatch.rules;
                import io.procwatch.normalize.ProcessEvent;
                global io.procwatch.detect.Detections detections;
                rule "never"
                    @id( "0a7c3c1e-6c55-4f3e-9d7e-5b6c2f0e0201" )   @title( "%s" )   @description( "d" )
                    @level( "critical" )   @riskObject( "dest" )   @riskMessage( "m" )   @groupBy( "dest" )
                when
                    $e : ProcessEvent( lc( "CommandLine" ) contains "no-such-needle-anywhere" )
                then
                    insert( detections.match( kcontext, $e ) );
                end
                """.formatted(longTitle));
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(ExitCodes.OK, run(err, "scan", "--no-progress", "--rules", rules.toString(),
                "-o", dir.resolve("n").toString(), "examples"));
        String summary = err.toString();
        assertFalse(summary.contains(longTitle), summary);
        // 3 detections and the 2 risk incident rules of rules-drl/ are loaded; 2 detections matched
        assertTrue(summary.contains("detections: 2 with matches of 5 loaded (-v lists all)"), summary);
        assertTrue(summary.contains("event time      2024-03-04T10:52:10.120Z .. 2024-03-04T12:21:02.004Z"), summary);
        assertTrue(summary.contains("top hosts (matches, detections): WKS-FIN-07 (3, 2)"), summary);
        // PSUQ has 3 matches, WSQE 2: same level, so by matches
        assertTrue(summary.indexOf("Potentially Suspicious Usage Of Qemu") < summary.indexOf("Windows Suspicious QEMU Execution"), summary);

        ByteArrayOutputStream verbose = new ByteArrayOutputStream();
        assertEquals(ExitCodes.OK, run(verbose, "scan", "--no-progress", "-v", "--rules", rules.toString(),
                "-o", dir.resolve("n").toString(), "--timezone", "Europe/Berlin", "examples"));
        List<String> table = verbose.toString().lines().filter(l -> l.contains("Qemu") || l.contains("QEMU")
                || l.contains(longTitle) || l.startsWith("  level ")).toList();
        assertEquals(4, table.size(), verbose.toString());
        assertTrue(table.get(1).contains(longTitle), "critical first: " + table);
        int column = table.get(0).indexOf("detection");
        for (String row : table) {
            assertEquals(column, row.indexOf(row.startsWith("  level ") ? "detection" : row.substring(column).strip()),
                    "aligned: " + table);
        }
        assertTrue(verbose.toString().contains("event time      2024-03-04T11:52:10.120+01:00"), verbose.toString());
    }

    /** --stats keeps its meaning: the same figures with or without selection options. */
    @Test
    void statsJsonKeepsItsFields(@TempDir Path dir) throws Exception {
        Path stats = dir.resolve("s.json");
        assertEquals(ExitCodes.OK, run(new ByteArrayOutputStream(), "scan", "-q", "-o", dir.resolve("n").toString(),
                "--stats", stats.toString(), "examples"));
        JsonNode s = JSON.readTree(stats.toFile());
        for (String f : List.of("inputs", "events", "process_events", "other_events", "rejected", "rejected_by_reason",
                "late", "matches", "notables", "per_rule", "rejections")) {
            assertTrue(s.has(f), f);
        }
        assertEquals(5, s.get("matches").asInt());
    }

    /** scan - reads standard input. */
    @Test
    void dashReadsStandardInput(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("n.ndjson");
        Path stats = dir.resolve("s.json");
        InputStream old = System.in;
        System.setIn(new ByteArrayInputStream(Files.readAllBytes(Path.of("examples/01-sysmon-qemu.xml"))));
        try {
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            assertEquals(ExitCodes.OK, run(err, "scan", "-q", "-o", out.toString(), "--stats", stats.toString(), "-"),
                    err.toString());
        } finally {
            System.setIn(old);
        }
        List<JsonNode> notables = lines(out);
        assertEquals(3, notables.size());
        assertEquals("-:1", notables.get(0).get("evidence").get(0).get("ref").asText());
        assertEquals(1, JSON.readTree(stats.toFile()).get("inputs").asInt());
    }

    /** -o naming a folder or a path under a file is a usage error in one line, before anything is scanned. */
    @Test
    void unusableOutputIsAUsageError(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(ExitCodes.USAGE, run(err, "scan", "-o", dir.toString(), "examples"));
        assertEquals("procwatch: -o/--out " + dir + ": is a directory (name a file)", err.toString().strip());
        Path file = Files.writeString(dir.resolve("plain.txt"), "x");
        ByteArrayOutputStream err2 = new ByteArrayOutputStream();
        assertEquals(ExitCodes.USAGE, run(err2, "scan", "-o", file.resolve("n.json").toString(), "examples"));
        assertEquals(1, err2.toString().strip().lines().count(), err2.toString());
        assertTrue(err2.toString().contains("is not a directory"), err2.toString());
        ByteArrayOutputStream err3 = new ByteArrayOutputStream();
        assertEquals(ExitCodes.USAGE, run(err3, "scan", "--timeline", dir.toString(), "examples"));
        assertTrue(err3.toString().startsWith("procwatch: --timeline "), err3.toString());
    }

    /** A detected event whose fields would be a spreadsheet formula or a terminal escape sequence. */
    static final String HOSTILE = "{\"EventID\":1,\"Channel\":\"Microsoft-Windows-Sysmon/Operational\","
            + "\"@timestamp\":\"2024-03-04T11:00:00Z\",\"Computer\":\"WKS-\\u001b]0;owned\\u0007X\","
            + "\"User\":\"@SUM(1+1)*cmd|' /C calc'!A0\","
            + "\"CommandLine\":\"=qemu-system-i386.exe -m 1M -netdev user,id=lan,restrict=off -netdev socket,connect=x:1 -nographic\"}\n";

    @Test
    void csvCellsAreNeutralisedAndTerminalOutputHasNoControlCharacters(@TempDir Path dir) throws Exception {
        Path events = Files.writeString(dir.resolve("hostile.json"), HOSTILE);
        Path stray = Files.writeString(dir.resolve("stray.xml"), "<Events>\n\u001b[2J\u001b]0;title\u0007 junk\n</Events>\n");
        Path csv = dir.resolve("n.csv");
        Path timeline = dir.resolve("t.csv");
        assertEquals(ExitCodes.OK, run(new ByteArrayOutputStream(), "scan", "-q", "-f", "csv", "-o", csv.toString(),
                "--timeline", timeline.toString(), events.toString()));
        String text = Files.readString(csv) + Files.readString(timeline);
        assertTrue(text.contains(",\"'=qemu-system-i386.exe -m 1M"), text);
        assertTrue(text.contains(",'@SUM(1+1)*cmd|' /C calc'!A0,"), text);
        assertFalse(text.contains(",=") || text.contains(",\"=") || text.contains(",@") || text.contains(",\"@"), text);
        Path table = dir.resolve("n.txt");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        run(err, "scan", "--no-progress", "-f", "table", "-o", table.toString(), events.toString(), stray.toString());
        String shown = Files.readString(table) + err.toString(StandardCharsets.UTF_8);
        assertFalse(shown.chars().anyMatch(c -> c == 0x1b || c == 0x07), shown);
        assertTrue(shown.contains("WKS-\\x1b]0;owned\\x07X"), shown);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("\\x1b[2J"), err.toString(StandardCharsets.UTF_8));
    }

    /** A syntax error is reported once, by procwatch, with file and line; Drools' own log line does not precede it. */
    @Test
    void ruleSyntaxErrorIsReportedOnceWithoutDroolsLogLines(@TempDir Path dir) throws Exception {
        Path rules = Files.createDirectories(dir.resolve("rules"));
        try (var s = Files.list(Path.of("rules-drl"))) {
            for (Path p : s.filter(p -> p.toString().endsWith(".drl")).toList()) {
                Files.copy(p, rules.resolve(p.getFileName()));
            }
        }
        Path broken = rules.resolve("broken.drl");
        Files.writeString(broken, "package io.procwatch.rules;\nimport io.procwatch.detect.Match;\n"
                + "rule \"oops\"\nwhen\n    $m : Match( ruleId == \"x\"\nthen\nend\n");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(ExitCodes.RULES, run(err, "scan", "--rules", rules.toString(), "examples"));
        List<String> lines = err.toString().lines().toList();
        assertEquals(2, lines.size(), err.toString());
        assertTrue(lines.get(0).startsWith(broken + ":6: "), err.toString());
        assertEquals("procwatch: 1 rule error in " + rules + "; nothing scanned", lines.get(1));
    }
}
