package io.procwatch.engine;

import io.procwatch.TestEvents;
import io.procwatch.TestRules;
import io.procwatch.aggregate.Notable;
import io.procwatch.detect.RuleSet;
import io.procwatch.normalize.ProcessEvent;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static io.procwatch.TestEvents.KASPERSKY_1;
import static io.procwatch.TestRules.SIGMA_ID;
import static io.procwatch.TestRules.SPLUNK_ID;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** CEP aggregation in rules-drl/aggregation.drl: windows, groups, fillnull, out-of-order and late events, filters. */
class NotableAggregationTest {

    private static final String SPLUNK_LINE = "qemu-system-x86_64.exe -hda tc.img -nographic";

    /** Feeds events one batch each (so the watermark moves between them) and returns every notable. */
    static List<Notable> run(RuleSet rules, List<ProcessEvent> events, DetectionSession[] keep) {
        List<Notable> out = new ArrayList<>();
        DetectionSession s = new DetectionSession(rules, true, Duration.ofMinutes(10));
        for (ProcessEvent e : events) {
            s.insert(e);
            out.addAll(s.fire());
        }
        out.addAll(s.flush());
        if (keep != null) {
            keep[0] = s;
        } else {
            s.close();
        }
        return out;
    }

    static List<Notable> run(List<ProcessEvent> events) {
        return run(TestRules.rulesDrl(), events, null);
    }

    static List<Notable> of(List<Notable> all, String ruleId) {
        return all.stream().filter(n -> n.ruleId().equals(ruleId)).toList();
    }

    @Test
    void windowsAreHH50ToHH50AndBoundariesAreExact() {
        List<Notable> n = of(run(List.of(
                TestEvents.sysmon("2024-03-04T10:49:59.999Z", KASPERSKY_1),   // [09:50, 10:50)
                TestEvents.sysmon("2024-03-04T10:50:00.000Z", KASPERSKY_1),   // [10:50, 11:50)
                TestEvents.sysmon("2024-03-04T11:49:59.999Z", KASPERSKY_1),   // [10:50, 11:50)
                TestEvents.sysmon("2024-03-04T11:50:00.000Z", KASPERSKY_1))), // [11:50, 12:50)
                SIGMA_ID);
        assertEquals(3, n.size());
        assertEquals("2024-03-04T09:50:00Z", n.get(0).fields().get("window_start"));
        assertEquals("2024-03-04T10:50:00Z", n.get(0).fields().get("window_end"));
        assertEquals(1L, n.get(0).fields().get("count"));
        assertEquals("2024-03-04T10:50:00Z", n.get(1).fields().get("window_start"));
        assertEquals(2L, n.get(1).fields().get("count"));
        assertEquals("2024-03-04T10:50:00", n.get(1).fields().get("firstTime"));
        assertEquals("2024-03-04T11:49:59", n.get(1).fields().get("lastTime"));
        assertEquals("2024-03-04T11:50:00Z", n.get(2).fields().get("window_start"));
    }

    @Test
    void groupsSplitOnGroupByFields() {
        Map<String, String> otherHost = Map.of("Computer", "WKS-99");
        List<Notable> n = of(run(List.of(
                TestEvents.sysmon("2024-03-04T11:00:00Z", KASPERSKY_1),
                TestEvents.sysmon("2024-03-04T11:01:00Z", KASPERSKY_1, otherHost),
                TestEvents.sysmon("2024-03-04T11:02:00Z", KASPERSKY_1))), SIGMA_ID);
        assertEquals(2, n.size());
        Map<Object, Object> countByDest = new HashMap<>();
        n.forEach(x -> countByDest.put(x.fields().get("dest"), x.fields().get("count")));
        assertEquals(Map.of("WKS-01", 2L, "WKS-99", 1L), countByDest);
    }

    @Test
    void notableCarriesRiskAttributesFromRuleAnnotations() {
        Notable n = of(run(List.of(TestEvents.sysmon("2024-03-04T11:00:00Z", SPLUNK_LINE))), SPLUNK_ID).get(0);
        Map<String, Object> f = n.fields();
        assertEquals("Windows Suspicious QEMU Execution", f.get("rule_title"));
        assertEquals(50, f.get("risk_score"));
        assertEquals("medium", f.get("severity"));
        assertEquals("endpoint", f.get("security_domain"));
        assertEquals("system", f.get("risk_object_type"));
        assertEquals("WKS-01", f.get("risk_object"));
        assertEquals(List.of("T1204.002", "T1001", "T1036", "T1564.006"), f.get("mitre_attack"));
        assertEquals("Potential suspicious QEMU execution observed on WKS-01 via " + SPLUNK_LINE + ".", f.get("risk_message"));
        assertTrue(((String) f.get("rule_description")).startsWith("Detects execution of the QEMU binary"));
        // Every stats-by field of the Splunk search, under its own name.
        for (String by : List.of("Computer", "EventID", "CommandLine", "Description", "Product", "Company", "action", "dest",
                "original_file_name", "parent_process", "parent_process_exec", "parent_process_guid", "parent_process_id",
                "parent_process_name", "parent_process_path", "process_hash", "process_integrity_level", "user",
                "user_id", "vendor_product")) {
            assertTrue(f.containsKey(by), "missing group field " + by);
        }
        assertEquals("cmd.exe", f.get("parent_process_name"));
        assertEquals("Microsoft Sysmon", f.get("vendor_product"));
    }

    @Test
    void fillnullKeepsEventsWithMissingByFieldsAndFillsZero() {
        Map<String, String> noHashNoParent = new HashMap<>();
        noHashNoParent.put("Hashes", null);
        noHashNoParent.put("ParentCommandLine", null);
        noHashNoParent.put("OriginalFileName", "");
        List<Notable> n = of(run(List.of(
                TestEvents.sysmon("2024-03-04T11:00:00Z", SPLUNK_LINE, noHashNoParent),
                TestEvents.sysmon("2024-03-04T11:05:00Z", SPLUNK_LINE, noHashNoParent))), SPLUNK_ID);
        assertEquals(1, n.size());
        assertEquals(2L, n.get(0).fields().get("count"));
        assertEquals("0", n.get(0).fields().get("process_hash"));
        assertEquals("0", n.get(0).fields().get("parent_process"));
        assertEquals("0", n.get(0).fields().get("original_file_name"));
    }

    @Test
    void outOfOrderWithinAllowanceLandsInItsOwnWindow() {
        DetectionSession[] s = new DetectionSession[1];
        List<Notable> n = of(run(TestRules.rulesDrl(), List.of(
                TestEvents.sysmon("2024-03-04T11:45:00Z", KASPERSKY_1),
                TestEvents.sysmon("2024-03-04T11:55:00Z", "benign.exe"),     // newest: 11:55
                TestEvents.sysmon("2024-03-04T11:46:00Z", KASPERSKY_1)),     // 9 min behind: in allowance
                s), SIGMA_ID);
        assertEquals(0, s[0].lateCount());
        s[0].close();
        assertEquals(1, n.size());
        assertEquals(2L, n.get(0).fields().get("count"));
        assertEquals(false, n.get(0).fields().get("late"));
    }

    @Test
    void eventBeyondAllowanceIsCountedLateAndStillReported() {
        DetectionSession[] s = new DetectionSession[1];
        List<Notable> n = of(run(TestRules.rulesDrl(), List.of(
                TestEvents.sysmon("2024-03-04T11:40:00Z", KASPERSKY_1),     // window [10:50, 11:50)
                TestEvents.sysmon("2024-03-04T12:10:00Z", "benign.exe"),    // watermark 12:00 closes it
                TestEvents.sysmon("2024-03-04T11:41:00Z", KASPERSKY_1)),    // 29 min behind: late
                s), SIGMA_ID);
        assertEquals(1, s[0].lateCount());
        assertEquals(1, s[0].lateSamples().size());
        s[0].close();
        assertEquals(2, n.size(), "the closed notable is not reopened; the late match gets its own");
        assertEquals(false, n.get(0).fields().get("late"));
        assertEquals(1L, n.get(0).fields().get("count"));
        assertEquals(true, n.get(1).fields().get("late"));
        assertEquals("2024-03-04T10:50:00Z", n.get(1).fields().get("window_start"));
    }

    @Test
    void lateButWindowStillOpenJoinsItsGroup() {
        DetectionSession[] s = new DetectionSession[1];
        List<Notable> n = of(run(TestRules.rulesDrl(), List.of(
                TestEvents.sysmon("2024-03-04T11:00:00Z", KASPERSKY_1),
                TestEvents.sysmon("2024-03-04T11:30:00Z", "benign.exe"),
                TestEvents.sysmon("2024-03-04T11:01:00Z", KASPERSKY_1)),    // 29 min behind, window open
                s), SIGMA_ID);
        assertEquals(1, s[0].lateCount());
        s[0].close();
        assertEquals(1, n.size());
        assertEquals(2L, n.get(0).fields().get("count"));
    }

    @Test
    void windowClosesAsSoonAsTheWatermarkPassesIt() {
        try (DetectionSession s = new DetectionSession(TestRules.rulesDrl(), true, Duration.ofMinutes(10))) {
            s.insert(TestEvents.sysmon("2024-03-04T11:00:00Z", KASPERSKY_1));
            assertTrue(s.fire().isEmpty());
            s.insert(TestEvents.sysmon("2024-03-04T11:59:59.999Z", "benign.exe"));
            assertTrue(s.fire().isEmpty(), "11:50 + 10 min allowance not yet reached");
            s.insert(TestEvents.sysmon("2024-03-04T12:00:00Z", "benign.exe"));
            assertEquals(1, s.fire().size());
            assertTrue(s.flush().isEmpty());
        }
    }

    @Test
    void eventsNoRuleHoldsLeaveAtTheirFiringAndMatchedOnesStayTheMinute() {
        try (DetectionSession s = new DetectionSession(TestRules.rulesDrl(), true, Duration.ofMinutes(10))) {
            s.fire();
            long base = s.factCount();
            for (int i = 0; i < 100; i++) {
                s.insert(TestEvents.sysmon("2024-03-04T11:00:" + (10 + i / 10) + "Z", "benign.exe"));
            }
            assertEquals(base + 100, s.factCount(), "inserted, not yet evaluated");
            s.fire();
            assertEquals(base, s.factCount(), "no rule's pattern holds them: deleted at their firing");
            s.insert(TestEvents.sysmon("2024-03-04T11:00:30Z", SPLUNK_LINE));
            s.fire();
            long withMatch = s.factCount();
            assertTrue(withMatch > base, "the matched event (and its group) stay: " + withMatch);
            s.insert(TestEvents.sysmon("2024-03-04T11:01:00Z", "benign.exe"));
            s.fire();
            assertEquals(withMatch, s.factCount(), "30 s later the matched event is still there");
            s.insert(TestEvents.sysmon("2024-03-04T11:01:31Z", "benign.exe"));
            s.fire();
            assertEquals(withMatch - 1, s.factCount(), "a minute after its time the matched event goes");
        }
    }

    @Test
    void processEventsExpireSoMemoryStaysFlat() {
        try (DetectionSession s = new DetectionSession(TestRules.rulesDrl(), true, Duration.ofMinutes(10))) {
            long t0 = java.time.Instant.parse("2024-03-04T00:00:00Z").toEpochMilli();
            for (int i = 0; i < 20_000; i++) {
                s.insert(TestEvents.sysmon(java.time.Instant.ofEpochMilli(t0 + i * 100L).toString(), "benign.exe"));
                if (i % 500 == 0) {
                    s.fire();
                }
            }
            s.fire();
            // Deleted a minute after their time (model.drl) at 10 events/s of event time: about 600 live events, not 20,000.
            assertTrue(s.factCount() < 1_500, "facts retained: " + s.factCount());
        }
    }

    @Test
    void sameInputGivesIdenticalOutput() {
        List<ProcessEvent> events = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            Map<String, String> f = new LinkedHashMap<>();
            f.put("Computer", "WKS-" + (i % 7));
            f.put("User", "CORP\\u" + (i % 3));
            events.add(TestEvents.sysmon(String.format("2024-03-04T%02d:%02d:00Z", 10 + i / 12, (i * 5) % 60),
                    i % 2 == 0 ? KASPERSKY_1 : SPLUNK_LINE, f));
        }
        String a = run(events).toString();
        String b = run(events).toString();
        assertEquals(a, b);
        assertFalse(run(events).isEmpty());
    }

    @Test
    void filterRuleSuppressesMatchesAndIsCounted() throws Exception {
        Map<Path, String> files = new LinkedHashMap<>();
        try (Stream<Path> s = Files.list(Path.of("rules-drl"))) {
            for (Path p : s.filter(p -> p.toString().endsWith(".drl")).sorted().toList()) {
                files.put(p, Files.readString(p));
            }
        }
        files.put(Path.of("rules-drl/lab_filter.drl"), """
                package io.procwatch.rules;
                import io.procwatch.detect.Match;
                rule "Sigma QEMU filter: lab host"
                    salience 100
                when
                    $m : Match( ruleId == "5fc297ae-25b6-488a-8f25-cc12ac29b744", suppressedBy == null,
                                event.lc( "dest" ) == "lab-01" )
                then
                    modify( $m ) { suppress( drools.getRule().getName() ) }
                end
                """);
        RuleSet rules = RuleSet.compile(files, "test");
        DetectionSession[] s = new DetectionSession[1];
        List<Notable> n = of(run(rules, List.of(
                TestEvents.sysmon("2024-03-04T11:00:00Z", KASPERSKY_1, Map.of("Computer", "LAB-01")),
                TestEvents.sysmon("2024-03-04T11:01:00Z", KASPERSKY_1)), s), SIGMA_ID);
        assertEquals(2L, s[0].detections().matchCounts().get(SIGMA_ID));
        assertEquals(1L, s[0].detections().suppressedCounts().get(SIGMA_ID));
        s[0].close();
        assertEquals(1, n.size());
        assertEquals("WKS-01", n.get(0).fields().get("dest"));
    }
}
