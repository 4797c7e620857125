package io.procwatch.sigma;

import com.fasterxml.jackson.databind.JsonNode;
import io.procwatch.aggregate.Notable;
import io.procwatch.detect.RuleSet;
import io.procwatch.normalize.FieldTable;
import io.procwatch.normalize.LogSource;
import io.procwatch.normalize.ProcessEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Spec-derived tests: modifiers, wildcards, conditions, and the seed rule against its hand-written twin. */
class SigmaSpecTest {

    private static final String HEAD = "title: t\nid: 00000000-0000-0000-0000-000000000001\nlevel: high\n"
            + "logsource: {category: process_creation, product: windows}\ndetection:\n";

    static ProcessEvent ev(String... kv) {
        Map<String, String> f = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            f.put(kv[i], kv[i + 1]);
        }
        return new ProcessEvent(FieldTable.create(), LogSource.SYSMON, 1, 1_700_000_000_000L, null, f);
    }

    /** Converts a one-rule detection and runs it on each event; returns per-event match (1/0). */
    static List<Integer> fire(String detection, ProcessEvent... events) throws Exception {
        JsonNode doc = SigmaConverter.YAML.readTree(HEAD + detection);
        SigmaConverter.Converted c = SigmaConverter.standard().convert(doc, null, "t");
        Map<Path, String> drl = new LinkedHashMap<>(SigmaTestSupport.baseDrl());
        drl.put(Path.of("t.drl"), c.drl());
        drl.put(Path.of(SigmaRules.PREFILTER_FILE), SigmaRules.prefilterDrl());
        RuleSet rules = RuleSet.compile(drl, "test");
        List<Integer> out = new ArrayList<>();
        for (ProcessEvent e : events) {
            out.add(SigmaTestSupport.run(rules, List.of(e)).matchCounts().get(c.id()).intValue());
        }
        return out;
    }

    /** scan --sigma: rules of other log sources counted in one line, any other failure listed with its reason. */
    @Test
    void rulesNotConvertedAreReported(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("ok.yml"), HEAD + "  sel:\n    CommandLine|contains: qemu\n  condition: sel\n");
        Files.writeString(dir.resolve("dns.yml"), "title: d\nid: 00000000-0000-0000-0000-000000000002\n"
                + "logsource: {category: dns_query, product: windows}\ndetection:\n  sel:\n    QueryName: x\n"
                + "  condition: sel\n");
        Files.writeString(dir.resolve("old.yml"), HEAD.replace("0001", "0003")
                + "  sel:\n    CommandLine|contains: x\n  condition: sel | count() > 5\n");
        java.io.StringWriter err = new java.io.StringWriter();
        RuleSet rules = SigmaRules.withDrl(null, List.of(dir), new java.io.PrintWriter(err, true));
        assertTrue(rules.catalog().detections().stream().anyMatch(d -> d.id().equals("00000000-0000-0000-0000-000000000001")));
        List<String> lines = err.toString().lines().toList();
        assertEquals(2, lines.size(), err.toString());
        assertTrue(lines.stream().anyMatch(l -> l.contains("old.yml") && l.contains("not converted")), err.toString());
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("procwatch: 1 Sigma rules skipped: their log source")),
                err.toString());
        assertFalse(err.toString().contains("dns.yml"), "counted, not listed: " + err);
    }

    @Test
    void wildcardsEscapesAndCaseInsensitivity() throws Exception {
        String det = "  sel:\n    Image: 'C:\\Windows\\\\*\\cmd.exe'\n    CommandLine: 'a\\*b?c'\n  condition: sel\n";
        assertEquals(List.of(1, 0, 1), fire(det,
                ev("Image", "c:\\windows\\system32\\CMD.EXE", "CommandLine", "A*BxC"),
                ev("Image", "c:\\windows\\system32\\cmd.exe", "CommandLine", "AxBxC"),
                ev("Image", "C:\\WINDOWS\\x\\cmd.exe", "CommandLine", "a*b?c")));
    }

    @Test
    void modifiersContainsAllStartsEndsWindashCased() throws Exception {
        String det = "  sel:\n    CommandLine|windash|contains|all: ['-enc', 'x']\n    Image|endswith: '\\ps.exe'\n"
                + "    User|cased: 'Admin'\n  condition: sel\n";
        assertEquals(List.of(1, 1, 0, 0), fire(det,
                ev("CommandLine", "ps /ENC x", "Image", "C:\\ps.exe", "User", "Admin"),
                ev("CommandLine", "ps \u2013enc x", "Image", "C:\\PS.EXE", "User", "Admin"),
                ev("CommandLine", "ps -enc x", "Image", "C:\\ps.exe", "User", "admin"),
                ev("CommandLine", "ps -enc", "Image", "C:\\ps.exe", "User", "Admin")));
    }

    @Test
    void regexCidrNumbersExistsNullFieldref() throws Exception {
        String det = "  a:\n    CommandLine|re|i: 'foo\\d+bar'\n  b:\n    DestinationIp|cidr: '10.0.0.0/8'\n"
                + "  c:\n    ProcessId|gt: 100\n  d:\n    ParentCommandLine|exists: false\n  e:\n    CurrentDirectory: null\n"
                + "  f:\n    Image|fieldref: ParentImage\n  condition: a and b and c and d and e and f\n";
        assertEquals(List.of(1, 0), fire(det,
                ev("CommandLine", "xFOO12BARy", "DestinationIp", "10.1.2.3", "ProcessId", "200", "Image", "a", "ParentImage", "A"),
                ev("CommandLine", "xFOO12BARy", "DestinationIp", "11.1.2.3", "ProcessId", "200", "Image", "a", "ParentImage", "A")));
    }

    @Test
    void base64OffsetFindsTheValueAtEveryAlignment() {
        List<String> v = SigmaConverter.base64(List.of("http"), null, true);
        for (String prefix : List.of("", "a", "ab")) {
            String enc = java.util.Base64.getEncoder().encodeToString((prefix + "http://x").getBytes());
            assertTrue(v.stream().anyMatch(enc::contains), prefix + " → " + enc + " vs " + v);
        }
    }

    @Test
    void conditionsOfPatternsThemAndPrecedence() throws Exception {
        String det = "  sel_a:\n    CommandLine|contains: aa\n  sel_b:\n    CommandLine|contains: bb\n"
                + "  _hidden:\n    CommandLine|contains: zz\n  filter:\n    CommandLine|contains: ff\n"
                + "  condition: 1 of sel_* and not filter or all of them\n";
        assertEquals(List.of(1, 0, 1, 1), fire(det,
                ev("CommandLine", "aa"), ev("CommandLine", "aa ff"), ev("CommandLine", "bb"),
                ev("CommandLine", "aa bb ff")));
        assertThrows(SigmaException.class, () -> SigmaCondition.parse("sel | count() > 5"));
        assertTrue(SigmaCondition.parse("a or b and not c") instanceof SigmaCondition.Or);
    }

    @Test
    void keywordsAndConditionLists() throws Exception {
        String det = "  kw:\n    - 'mimikatz'\n  sel:\n    Image|endswith: '\\x.exe'\n  condition:\n    - kw\n    - sel\n";
        assertEquals(List.of(1, 1, 0), fire(det, ev("CommandLine", "run MIMIKATZ now"), ev("Image", "c:\\x.exe"),
                ev("Image", "c:\\y.exe")));
    }

    @Test
    void otherLogSourcesAreReportedNotDropped() throws Exception {
        JsonNode doc = SigmaConverter.YAML.readTree("title: t\nid: x\nlogsource: {category: file_event, product: windows}\n"
                + "detection: {sel: {TargetFilename: a}, condition: sel}\n");
        SigmaException e = assertThrows(SigmaException.class, () -> SigmaConverter.standard().convert(doc, null, "t"));
        assertEquals("logsource windows/file_event", e.reason());
    }

    /** The converted 5fc297ae gives the same matches and notables as the hand-written DRL on every repo test event. */
    @Test
    void convertedSeedEqualsHandWrittenSeed() throws Exception {
        Path sigma = io.procwatch.SharedData.require(
                "sigmahq-sigma/rules/windows/process_creation/proc_creation_win_qemu_suspicious_execution.yml");
        List<Path> inputs = new ArrayList<>(List.of(Path.of("examples")));
        if (Files.isDirectory(Path.of("rules-drl/tests/events"))) {
            inputs.add(Path.of("rules-drl/tests/events"));
        }
        List<ProcessEvent> events = SigmaTestSupport.events(inputs);
        assertFalse(events.isEmpty());
        String id = "5fc297ae-25b6-488a-8f25-cc12ac29b744";

        Map<Path, String> hand = new LinkedHashMap<>(SigmaTestSupport.baseDrl());
        Path hw = Path.of("rules-drl/potentially_suspicious_usage_of_qemu.drl");
        hand.put(hw, Files.readString(hw));
        Map<Path, String> conv = new LinkedHashMap<>(SigmaTestSupport.baseDrl());
        conv.putAll(SigmaRules.toDrl(SigmaConverter.standard().convertAll(List.of(sigma)), Path.of("sigma"), Set.of()));

        SigmaTestSupport.Run a = SigmaTestSupport.run(RuleSet.compile(hand, "hand"), events);
        SigmaTestSupport.Run b = SigmaTestSupport.run(RuleSet.compile(conv, "converted"), events);
        assertEquals(a.matchCounts().get(id), b.matchCounts().get(id));
        assertTrue(a.matchCounts().get(id) > 0, "the repo's events include QEMU positives");
        assertEquals(summary(a.notables()), summary(b.notables()));
        System.out.printf("seed equivalence: %d events, %d matches, %d notables, identical%n",
                events.size(), a.matchCounts().get(id), a.notables().size());
    }

    private static List<String> summary(List<Notable> ns) {
        List<String> out = new ArrayList<>();
        for (Notable n : ns) {
            Map<String, Object> f = new java.util.TreeMap<>(n.fields());
            f.remove("rule_name");
            f.remove("search_name");
            // The hand-written rule words its own @riskMessage (a rule engineer's override); all else must match.
            f.remove("risk_message");
            // A Sigma notable also carries its first event's pivot fields (Image, ParentImage, ParentCommandLine).
            f.keySet().removeAll(List.of("Image", "ParentImage", "ParentCommandLine"));
            out.add(n.ruleId() + " " + n.windowStart() + " " + n.late() + " " + f);
        }
        out.sort(null);
        return out;
    }
}
