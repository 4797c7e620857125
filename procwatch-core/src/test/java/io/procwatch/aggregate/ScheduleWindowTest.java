package io.procwatch.aggregate;

import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ScheduleWindowTest {

    private static long t(String iso) {
        return Instant.parse(iso).toEpochMilli();
    }

    private static String start(ScheduleWindow w, String iso) {
        return Instant.ofEpochMilli(w.windowStart(t(iso))).toString();
    }

    @Test
    void seedScheduleGivesHH50Windows() {
        ScheduleWindow w = ScheduleWindow.fromSplunk("0 * * * *", "-70m@m", "-10m@m");
        assertEquals("2024-03-04T10:50:00Z", start(w, "2024-03-04T10:50:00Z"));
        assertEquals("2024-03-04T10:50:00Z", start(w, "2024-03-04T11:49:59.999Z"));
        assertEquals("2024-03-04T11:50:00Z", start(w, "2024-03-04T11:50:00Z"));
        assertEquals("2024-03-04T09:50:00Z", start(w, "2024-03-04T10:49:59.999Z"));
        assertEquals("2024-03-04T23:50:00Z", start(w, "2024-03-05T00:10:00Z"));
        assertEquals(t("2024-03-04T11:50:00Z"), w.windowEnd(t("2024-03-04T11:00:00Z")));
    }

    @Test
    void otherSchedules() {
        ScheduleWindow every15 = ScheduleWindow.fromSplunk("*/15 * * * *", "-20m", "-5m");
        assertEquals("2024-03-04T10:40:00Z", start(every15, "2024-03-04T10:41:00Z"));
        ScheduleWindow daily = ScheduleWindow.fromSplunk("30 2 * * *", "-24h@h", "now");
        assertEquals("2024-03-03T02:30:00Z", start(daily, "2024-03-04T01:00:00Z"));
    }

    @Test
    void windowsMustTile() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ScheduleWindow.fromSplunk("0 * * * *", "-24h", "now"));
        assertTrue(e.getMessage().contains("tile"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ScheduleWindow.fromSplunk("0 0 1 * *", "-1h", "now"));
        assertThrows(IllegalArgumentException.class, () -> ScheduleWindow.fromSplunk("0 * * * *", "yesterday", "now"));
    }
}
