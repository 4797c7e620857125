package io.procwatch.engine;

import io.procwatch.TestEvents;
import io.procwatch.aggregate.Notable;
import io.procwatch.detect.RuleSet;
import io.procwatch.normalize.ProcessEvent;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;

import static io.procwatch.TestEvents.KASPERSKY_1;
import static io.procwatch.TestRules.SIGMA_ID;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Notable windows at cron's own run times: the Sigma seed detection with its schedule edited, run on events
 * through a real session. An event belongs to every run whose {@code [earliest, latest)} covers it; one notable per
 * distinct window and group.
 */
class ScheduledWindowNotablesTest {

    /** rules-drl/ with the Sigma detection's three window annotations replaced. */
    private static RuleSet rules(String cron, String earliest, String latest) throws Exception {
        Map<Path, String> files = io.procwatch.detect.RuleSet.readDrlFiles(Path.of("rules-drl"));
        Map<Path, String> edited = new java.util.LinkedHashMap<>();
        files.forEach((p, text) -> edited.put(p, p.getFileName().toString().equals("potentially_suspicious_usage_of_qemu.drl")
                ? text.replace("@schedule( \"0 * * * *\" )", "@schedule( \"" + cron + "\" )")
                        .replace("@earliest( \"-70m@m\" )", "@earliest( \"" + earliest + "\" )")
                        .replace("@latest( \"-10m@m\" )", "@latest( \"" + latest + "\" )")
                : text));
        return RuleSet.compile(edited, "test");
    }

    /** Feeds the events through {@link NotableAggregationTest#run}; the Sigma detection's notables. */
    private static List<Notable> run(RuleSet rules, DetectionSession[] keep, ProcessEvent... events) {
        return NotableAggregationTest.of(NotableAggregationTest.run(rules, List.of(events), keep), SIGMA_ID);
    }

    private static List<String> windows(List<Notable> ns) {
        return ns.stream().map(n -> n.fields().get("window_start") + "/" + n.fields().get("window_end")
                + " count " + n.fields().get("count")).toList();
    }

    @Test
    void overlappingRunsEachReportTheEventsTheyCover() throws Exception {
        // Every 7 minutes over the last hour. 10:30 lies in the windows of the runs 10:35 … 11:28 (9 runs); 10:40
        // in those of 10:42 … 11:35 (9 runs). Seven windows hold both.
        DetectionSession[] s = new DetectionSession[1];
        List<Notable> ns = run(rules("*/7 * * * *", "-60m@m", "@m"), s,
                TestEvents.sysmon("2024-03-04T10:30:00Z", KASPERSKY_1),
                TestEvents.sysmon("2024-03-04T10:40:00Z", KASPERSKY_1));
        assertEquals(List.of(
                "2024-03-04T09:35:00Z/2024-03-04T10:35:00Z count 1",
                "2024-03-04T09:42:00Z/2024-03-04T10:42:00Z count 2",
                "2024-03-04T09:49:00Z/2024-03-04T10:49:00Z count 2",
                "2024-03-04T09:56:00Z/2024-03-04T10:56:00Z count 2",
                "2024-03-04T10:00:00Z/2024-03-04T11:00:00Z count 2",
                "2024-03-04T10:07:00Z/2024-03-04T11:07:00Z count 2",
                "2024-03-04T10:14:00Z/2024-03-04T11:14:00Z count 2",
                "2024-03-04T10:21:00Z/2024-03-04T11:21:00Z count 2",
                "2024-03-04T10:28:00Z/2024-03-04T11:28:00Z count 2",
                "2024-03-04T10:35:00Z/2024-03-04T11:35:00Z count 1"), windows(ns));
        assertEquals(ns.size(), new HashSet<>(ns.stream().map(Notable::id).toList()).size(), "one id per window");
        assertEquals(2L, s[0].detections().matchCounts().get(SIGMA_ID), "matches are counted once each");
        s[0].close();
    }

    @Test
    void snappedRangeGivesWholeHours() throws Exception {
        // [-70m@h, -10m@h) run hourly: whole hours [HH:00, HH+1:00), not [HH:50, HH+1:50).
        DetectionSession[] s = new DetectionSession[1];
        List<Notable> ns = run(rules("0 * * * *", "-70m@h", "-10m@h"), s,
                TestEvents.sysmon("2024-03-04T10:05:00Z", KASPERSKY_1),
                TestEvents.sysmon("2024-03-04T10:55:00Z", KASPERSKY_1),
                TestEvents.sysmon("2024-03-04T11:01:00Z", KASPERSKY_1));
        assertEquals(List.of("2024-03-04T10:00:00Z/2024-03-04T11:00:00Z count 2",
                "2024-03-04T11:00:00Z/2024-03-04T12:00:00Z count 1"), windows(ns));
        s[0].close();
    }

    @Test
    void matchesBetweenRunsFormNoNotableButAreCounted() throws Exception {
        // 09:00 on weekdays over the hour before: Tuesday 08:30 is reported, Tuesday noon and Saturday 08:30 are not.
        DetectionSession[] s = new DetectionSession[1];
        List<Notable> ns = run(rules("0 9 * * 1-5", "-1h", "now"), s,
                TestEvents.sysmon("2024-03-05T08:30:00Z", KASPERSKY_1),
                TestEvents.sysmon("2024-03-05T12:00:00Z", KASPERSKY_1),
                TestEvents.sysmon("2024-03-09T08:30:00Z", KASPERSKY_1));
        assertEquals(List.of("2024-03-05T08:00:00Z/2024-03-05T09:00:00Z count 1"), windows(ns));
        assertEquals(3L, s[0].detections().matchCounts().get(SIGMA_ID));
        assertEquals(2L, s[0].detections().unwindowedCounts().get(SIGMA_ID));
        s[0].close();
    }

    @Test
    void cumulativeWindowsAreToldApartByTheirEnd() throws Exception {
        // Hourly over the day so far [@d, @h): windows share their start, so ids name the end too.
        DetectionSession[] s = new DetectionSession[1];
        List<Notable> ns = run(rules("0 * * * *", "@d", "@h"), s,
                TestEvents.sysmon("2024-03-04T21:30:00Z", KASPERSKY_1));
        assertEquals(List.of("2024-03-04T00:00:00Z/2024-03-04T22:00:00Z count 1",
                "2024-03-04T00:00:00Z/2024-03-04T23:00:00Z count 1"), windows(ns));
        assertTrue(!ns.get(0).id().equals(ns.get(1).id()));
        s[0].close();
    }
}
