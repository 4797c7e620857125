package io.procwatch.risk;

import io.procwatch.aggregate.Notable;
import io.procwatch.detect.RuleSet;
import io.procwatch.normalize.ProcessEvent;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static io.procwatch.risk.RiskStories.CREDS;
import static io.procwatch.risk.RiskStories.event;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A multi-detection story over days on one host (WKS-01, user CORP\jdoe): exact risk events, totals, throttling and
 * incidents of both incident rules, with the hand-written Splunk QEMU detection among the sources.
 */
class RiskStoryTest {

    static final String QEMU = "qemu-system-x86_64.exe -m 256M -hda C:\\ProgramData\\tc-core.img -nographic";

    static List<ProcessEvent> story() {
        return List.of(
                event("2024-03-04T09:00:00Z", "whoami.exe /all"),                              // dest 20, user 10
                event("2024-03-04T10:00:00Z", "powershell.exe -EncodedCommand SQBFAFgA"),      // dest 40, user 20
                RiskStories.event("2024-03-04T11:00:00Z", QEMU),                               // dest 50 (Splunk QEMU)
                event("2024-03-04T12:00:00Z", "mimikatz.exe sekurlsa::logonpasswords"),        // dest 60, user 30
                event("2024-03-04T13:00:00Z", "mimi.exe sekurlsa::logonpasswords exit"),       // throttled: dest 60, user 30
                event("2024-03-06T09:00:00Z", "schtasks /create /tn upd /tr c:\\u.exe"),       // dest 30, user 15
                event("2024-03-06T10:00:00Z", "notepad.exe"),                                  // no detection; closes 09:50
                event("2024-03-13T09:00:00Z", "whoami.exe"));                                  // 7 days on: nothing left
    }

    static RuleSet rules() throws Exception {
        return RiskStories.rules("@throttle( fields=\"dest\", window=\"1d\" )", Map.of());
    }

    @Test
    void riskEventsOnePerRiskObjectWithTacticsThreatsAndNotableIds() throws Exception {
        RiskStories.Run run = RiskStories.run(rules(), story());
        // 6 detection results with dest and user, the QEMU one with dest only (its @riskObject), = 13
        assertEquals(13, run.risk().size());
        Map<String, Object> first = run.risk().get(0).fields();
        assertEquals(List.of("_time", "risk_object", "risk_object_type", "risk_score", "calculated_risk_score",
                "risk_message", "threat_object", "threat_object_type", "source", "rule_id", "annotations.mitre_attack",
                "annotations.mitre_attack.mitre_tactic_id", "annotations.mitre_attack.mitre_tactic", "notable_id",
                "risk_event_id", "throttled", "risk_factors"), List.copyOf(first.keySet()));
        assertEquals("2024-03-04T09:00:00Z", first.get("_time"));
        assertEquals("WKS-01", first.get("risk_object"));
        assertEquals("system", first.get("risk_object_type"));
        assertEquals(20, first.get("risk_score"));
        assertEquals(20L, first.get("calculated_risk_score"));
        assertEquals("Story Recon whoami on WKS-01 by CORP\\jdoe", first.get("risk_message"));
        assertEquals(List.of("whoami.exe"), first.get("threat_object"));
        assertEquals(List.of("process_name"), first.get("threat_object_type"));
        assertEquals(List.of("TA0007"), first.get("annotations.mitre_attack.mitre_tactic_id"));
        assertEquals(List.of("discovery"), first.get("annotations.mitre_attack.mitre_tactic"));
        Map<String, Object> user = run.risk().get(1).fields();
        assertEquals("CORP\\jdoe", user.get("risk_object"));
        assertEquals("user", user.get("risk_object_type"));
        assertEquals(10, user.get("risk_score"));
        Notable whoami = run.detections().get(0);
        assertEquals(whoami.id(), first.get("notable_id"));
        assertEquals(whoami.id(), user.get("notable_id"));

        Map<String, Object> qemu = run.risk().get(4).fields();
        assertEquals("Windows Suspicious QEMU Execution", qemu.get("source"));
        assertEquals(List.of("TA0002", "TA0011", "TA0005"), qemu.get("annotations.mitre_attack.mitre_tactic_id"));
        assertEquals("Potential suspicious QEMU execution observed on WKS-01 via " + QEMU + ".", qemu.get("risk_message"));
    }

    @Test
    void throttledResultMakesNoNotableButItsRiskEventsCount() throws Exception {
        RiskStories.Run run = RiskStories.run(rules(), story());
        List<Notable> creds = run.detections().stream().filter(n -> n.fields().get("rule_title").equals(CREDS)).toList();
        assertEquals(1, creds.size(), "second credential dump within a day on WKS-01 is throttled");
        List<Map<String, Object>> credRisk = run.risk().stream().map(RiskEventRecord::fields)
                .filter(f -> f.get("source").equals(CREDS)).toList();
        assertEquals(4, credRisk.size());
        assertEquals(List.of(false, false, true, true), credRisk.stream().map(f -> f.get("throttled")).toList());
        for (Map<String, Object> f : credRisk) {
            assertEquals(creds.get(0).id(), f.get("notable_id"), "a throttled result's risk events belong to the notable that alerted");
        }
        // ...yet each has its own id (its own result's window and group, and its object), the same in another run.
        List<Object> ids = credRisk.stream().map(f -> f.get("risk_event_id")).toList();
        assertEquals(4, new java.util.HashSet<>(ids).size(), ids.toString());
        assertEquals(run.risk().size(), run.risk().stream().map(RiskEventRecord::id).distinct().count());
        assertEquals(run.risk().stream().map(RiskEventRecord::id).toList(),
                RiskStories.run(rules(), story()).risk().stream().map(RiskEventRecord::id).toList());
        assertEquals(1L, run.session().risk().throttledCounts().get("33333333-3333-4333-8333-333333333333"));
        assertEquals(6, run.detections().size());
    }

    @Test
    void ofResultsThatCloseTogetherTheSameOneAlertsWhateverOrderTheirGroupsOpenedIn() throws Exception {
        // Three credential dumps on WKS-01 in one window, three groups (command lines) of one throttle key (dest):
        // one alerts, two are throttled, and which one must not depend on the order the groups were opened (the
        // agenda closes them in that order; a replay after a restart or a scan of the same events can differ).
        List<ProcessEvent> dumps = List.of(event("2024-03-04T12:01:00Z", "a.exe sekurlsa::logonpasswords"),
                event("2024-03-04T12:02:00Z", "b.exe sekurlsa::logonpasswords"),
                event("2024-03-04T12:03:00Z", "c.exe sekurlsa::logonpasswords"));
        Set<String> alerted = new TreeSet<>();
        for (List<Integer> order : List.of(List.of(0, 1, 2), List.of(2, 1, 0), List.of(1, 0, 2), List.of(1, 2, 0))) {
            List<ProcessEvent> events = new ArrayList<>();
            order.forEach(i -> events.add(dumps.get(i)));
            events.add(event("2024-03-04T14:00:00Z", "notepad.exe"));   // closes the window
            RiskStories.Run run = RiskStories.run(rules(), events);
            List<Notable> creds = run.detections().stream().filter(n -> n.fields().get("rule_title").equals(CREDS)).toList();
            assertEquals(1, creds.size(), order.toString());
            alerted.add(creds.get(0).id());
            List<RiskEventRecord> risk = run.risk().stream().filter(r -> r.fields().get("source").equals(CREDS)).toList();
            assertEquals(6, risk.size());
            assertEquals(4, risk.stream().filter(r -> (Boolean) r.fields().get("throttled")).count());
            assertTrue(risk.stream().allMatch(r -> creds.get(0).id().equals(r.fields().get("notable_id"))));
        }
        assertEquals(1, alerted.size(), "the same result alerts in every order: " + alerted);
    }

    @Test
    void incidentsFireOncePerObjectAndWindowWithExactTotals() throws Exception {
        RiskStories.Run run = RiskStories.run(rules(), story());
        List<Notable> inc = run.incidents();
        assertEquals(4, inc.size(), inc.toString());
        String sum24 = "Risk Threshold Exceeded For Object Over 24 Hour Period";
        String tactics7 = "ATT&CK Tactic Threshold Exceeded For Object Over Previous 7 Days";

        Map<String, Object> a = inc.get(0).fields();   // 20 + 40 + 50 = 110 at the QEMU risk event
        assertEquals(sum24, a.get("rule_title"));
        assertEquals("WKS-01", a.get("risk_object"));
        assertEquals("system", a.get("risk_object_type"));
        assertEquals(110L, a.get("risk_score"));
        assertEquals("medium", a.get("severity"));
        assertEquals(3L, a.get("risk_event_count"));
        assertEquals(List.of(RiskStories.POWERSHELL, RiskStories.RECON, "Windows Suspicious QEMU Execution"), a.get("sources"));
        assertEquals("2024-03-04T09:00:00", a.get("firstTime"));
        assertEquals("2024-03-04T11:00:00", a.get("lastTime"));
        assertEquals("2024-03-03T11:00:00Z", a.get("window_start"));
        assertEquals("2024-03-04T11:00:00Z", a.get("window_end"));

        Map<String, Object> b = inc.get(1).fields();   // 4th source at 12:00: 5 tactics, 170 points
        assertEquals(tactics7, b.get("rule_title"));
        assertEquals("WKS-01", b.get("risk_object"));
        assertEquals(170L, b.get("risk_score"));
        assertEquals(4L, b.get("risk_event_count"));
        assertEquals(List.of("TA0002", "TA0005", "TA0006", "TA0007", "TA0011"), b.get("mitre_tactic_id"));
        assertEquals("high", b.get("severity"));

        Map<String, Object> c = inc.get(2).fields();   // after the 11:00 incident: 60 + 60 (throttled, still counts)
        assertEquals(sum24, c.get("rule_title"));
        assertEquals(120L, c.get("risk_score"));
        assertEquals(2L, c.get("risk_event_count"));
        assertEquals("2024-03-04T12:00:00", c.get("firstTime"));

        Map<String, Object> d = inc.get(3).fields();   // the user: 10 + 20 + 30 + 30 + 15 over 7 days, 4 sources
        assertEquals(tactics7, d.get("rule_title"));
        assertEquals("CORP\\jdoe", d.get("risk_object"));
        assertEquals("user", d.get("risk_object_type"));
        assertEquals(105L, d.get("risk_score"));
        assertEquals(5L, d.get("risk_event_count"));
        assertEquals(List.of("TA0002", "TA0003", "TA0004", "TA0006", "TA0007"), d.get("mitre_tactic_id"));
        assertEquals("2024-03-06T09:00:00Z", d.get("window_end"));

        // A week on, the old risk events have expired: the last whoami raises nothing, and memory is back to little.
        assertEquals(10, run.notables().size());
        // Left: watermark, 2 incident rules, the 4 risk events of days 3 and 10, 4 incident marks, the last process
        // event; the 11 risk events of day 1 have expired (8 days).
        assertEquals(12, run.session().factCount());
    }

    @Test
    void incidentIdsAreDeterministic() throws Exception {
        RuleSet r = rules();
        List<String> one = RiskStories.run(r, story()).incidents().stream().map(Notable::id).toList();
        List<String> two = RiskStories.run(r, story()).incidents().stream().map(Notable::id).toList();
        assertEquals(one, two);
        assertEquals(4, one.stream().distinct().count());
    }
}
