package io.procwatch.time;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ScheduleWindowTest {

    private static long t(String iso) {
        return Instant.parse(iso).toEpochMilli();
    }

    /** The windows covering {@code iso}, as "start/end" text. */
    private static List<String> windows(ScheduleWindow w, String iso) {
        return w.windowsCovering(t(iso)).stream()
                .map(r -> Instant.ofEpochMilli(r.start()) + "/" + Instant.ofEpochMilli(r.end())).toList();
    }

    @Test
    void seedScheduleGivesHH50Windows() {
        ScheduleWindow w = ScheduleWindow.fromSplunk("0 * * * *", "-70m@m", "-10m@m");
        assertEquals(List.of("2024-03-04T10:50:00Z/2024-03-04T11:50:00Z"), windows(w, "2024-03-04T10:50:00Z"));
        assertEquals(List.of("2024-03-04T10:50:00Z/2024-03-04T11:50:00Z"), windows(w, "2024-03-04T11:49:59.999Z"));
        assertEquals(List.of("2024-03-04T11:50:00Z/2024-03-04T12:50:00Z"), windows(w, "2024-03-04T11:50:00Z"));
        assertEquals(List.of("2024-03-04T09:50:00Z/2024-03-04T10:50:00Z"), windows(w, "2024-03-04T10:49:59.999Z"));
        assertEquals(List.of("2024-03-04T23:50:00Z/2024-03-05T00:50:00Z"), windows(w, "2024-03-05T00:10:00Z"));
        assertTrue(w.shape().tiles());
        assertEquals(1, w.shape().maxRunsPerEvent());
        // The defaults are the seed's.
        assertEquals(w, ScheduleWindow.fromSplunk(null, " ", null));
    }

    @Test
    void snapToTheHourIsHonoured() {
        // Splunk's run at 11:00 over [-70m@h, -10m@h) covers [09:00, 10:00): whole hours, not [HH:50, HH+1:50).
        ScheduleWindow w = ScheduleWindow.fromSplunk("0 * * * *", "-70m@h", "-10m@h");
        assertEquals(List.of("2024-03-04T10:00:00Z/2024-03-04T11:00:00Z"), windows(w, "2024-03-04T10:50:00Z"));
        assertEquals(List.of("2024-03-04T10:00:00Z/2024-03-04T11:00:00Z"), windows(w, "2024-03-04T10:00:00Z"));
        assertTrue(w.shape().tiles());
        // The everyday form: the last whole hour.
        ScheduleWindow lastHour = ScheduleWindow.fromSplunk("5 * * * *", "-1h@h", "@h");
        assertEquals(List.of("2024-03-04T10:00:00Z/2024-03-04T11:00:00Z"), windows(lastHour, "2024-03-04T10:59:59Z"));
        assertTrue(lastHour.shape().tiles());
        // Daily over yesterday.
        ScheduleWindow yesterday = ScheduleWindow.fromSplunk("30 2 * * *", "-1d@d", "@d");
        assertEquals(List.of("2024-03-03T00:00:00Z/2024-03-04T00:00:00Z"), windows(yesterday, "2024-03-03T23:00:00Z"));
    }

    @Test
    void stepsRunAtCronsOwnTimesNotPeriodsFrom1970() {
        // */7 runs at :00 :07 … :56 of every hour (not every 7th minute since 1970), each over the 7 minutes
        // before it: the 11:00 run covers [10:53, 11:00), the 10:56 run [10:49, 10:56), so those two overlap.
        ScheduleWindow w = ScheduleWindow.fromSplunk("*/7 * * * *", "-7m@m", "@m");
        assertEquals(List.of("2024-03-04T10:53:00Z/2024-03-04T11:00:00Z"), windows(w, "2024-03-04T10:58:00Z"));
        assertEquals(List.of("2024-03-04T10:49:00Z/2024-03-04T10:56:00Z", "2024-03-04T10:53:00Z/2024-03-04T11:00:00Z"),
                windows(w, "2024-03-04T10:54:00Z"));
        assertEquals(List.of("2024-03-04T11:00:00Z/2024-03-04T11:07:00Z"), windows(w, "2024-03-04T11:00:00Z"));
        assertEquals(List.of("2024-03-04T11:42:00Z/2024-03-04T11:49:00Z"), windows(w, "2024-03-04T11:48:59Z"));
        assertTrue(w.shape().overlaps());
        assertEquals(2, w.shape().maxRunsPerEvent());
        // Over [-3m@m, @m) it leaves gaps instead: 10:50 lies between the 10:49 run's and the 10:56 run's windows.
        ScheduleWindow gapped = ScheduleWindow.fromSplunk("*/7 * * * *", "-3m@m", "@m");
        assertEquals(List.of(), windows(gapped, "2024-03-04T10:50:00Z"));
        assertTrue(gapped.shape().gaps());
    }

    @Test
    void overlappingWindowsPutAnEventInEachRunThatCoversIt() {
        // Every 7 minutes over the last hour: an event at 10:30 is in the windows of the runs 10:35 … 11:28.
        ScheduleWindow w = ScheduleWindow.fromSplunk("*/7 * * * *", "-60m@m", "@m");
        List<RunWindow> ws = w.windowsCovering(t("2024-03-04T10:30:00Z"));
        List<String> runs = ws.stream().map(r -> Instant.ofEpochMilli(r.run()).toString().substring(11, 16)).toList();
        assertEquals(List.of("10:35", "10:42", "10:49", "10:56", "11:00", "11:07", "11:14", "11:21", "11:28"), runs);
        for (RunWindow r : ws) {
            assertTrue(r.covers(t("2024-03-04T10:30:00Z")));
            assertEquals(r.run() - 3_600_000L, r.start());
        }
        assertTrue(w.shape().overlaps());
        assertEquals(9, w.shape().maxRunsPerEvent());
    }

    @Test
    void runsWithEqualRangesShareOneWindow() {
        // Every 7 minutes over the last whole hour: the runs 11:00 … 11:56 all cover [10:00, 11:00).
        ScheduleWindow w = ScheduleWindow.fromSplunk("*/7 * * * *", "-1h@h", "@h");
        assertEquals(List.of("2024-03-04T10:00:00Z/2024-03-04T11:00:00Z"), windows(w, "2024-03-04T10:30:00Z"));
        assertTrue(w.shape().tiles());
    }

    @Test
    void weekdayMorningsLeaveGaps() {
        // 09:00 Monday to Friday over the hour before: Tuesday 08:30 is covered, Tuesday noon and Saturday are not.
        ScheduleWindow w = ScheduleWindow.fromSplunk("0 9 * * 1-5", "-1h", "now");
        assertEquals(List.of("2024-03-05T08:00:00Z/2024-03-05T09:00:00Z"), windows(w, "2024-03-05T08:30:00Z"));
        assertEquals(List.of(), windows(w, "2024-03-05T12:00:00Z"));
        assertEquals(List.of(), windows(w, "2024-03-09T08:30:00Z"));   // a Saturday
        assertTrue(w.shape().gaps());
        assertFalse(w.shape().overlaps());
        // Over the time since the previous weekday run: Monday's 09:00 run covers the whole weekend.
        ScheduleWindow sinceYesterday = ScheduleWindow.fromSplunk("0 9 * * 1-5", "-1d@d+9h", "@h");
        assertEquals(List.of("2024-03-07T09:00:00Z/2024-03-08T09:00:00Z"), windows(sinceYesterday, "2024-03-08T08:00:00Z"));
        assertEquals(List.of(), windows(sinceYesterday, "2024-03-09T12:00:00Z"));
    }

    @Test
    void cumulativeWindowsShareTheirStart() {
        // Hourly over [@d, @h): the day so far; an event at 10:30 is in the windows of the runs 11:00 … 23:00.
        ScheduleWindow w = ScheduleWindow.fromSplunk("0 * * * *", "@d", "@h");
        List<RunWindow> ws = w.windowsCovering(t("2024-03-04T10:30:00Z"));
        assertEquals(13, ws.size());
        assertTrue(ws.stream().allMatch(r -> r.start() == t("2024-03-04T00:00:00Z")));
        assertEquals(List.of(), windows(w, "2024-03-04T23:30:00Z"));   // the next run, at midnight, is [@d, @d): empty
        assertFalse(w.shape().constantSpan());
    }

    @Test
    void refusesWhatTheEngineCannotHonour() {
        assertRefused("0 * * *", "0 * * *", "five-field cron");
        assertRefused("0 * * * *", "-1h", "-2h", "is before earliest");
        assertRefused("0 * * * *", "@h", "@h", "covers nothing");
        assertRefused("0 0 30 2 *", "0 0 30 2 *", "covers nothing");
        assertRefused("* * * * *", "-7d", "overlap");
        assertRefused("0 * * * *", "yesterday", "is not of the form");
    }

    private static void assertRefused(String cron, String earliest, String reason) {
        assertRefused(cron, earliest, "now", reason);
    }

    private static void assertRefused(String cron, String earliest, String latest, String reason) {
        String e = assertThrows(IllegalArgumentException.class,
                () -> ScheduleWindow.fromSplunk(cron, "0 0 30 2 *".equals(earliest) || "0 * * *".equals(earliest)
                        ? null : earliest, latest)).getMessage();
        assertTrue(e.contains(reason) || reason.equals("overlap") && e.contains("windows; at most"), e);
    }
}
