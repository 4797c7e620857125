package io.procwatch.time;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Splunk's relative time modifiers, against the examples of Splunk's "Specify time modifiers" documentation. */
class RelativeTimeTest {

    @ParameterizedTest(name = "{1} at {0} is {2}")
    @CsvSource({
            // run time,                modifier,   expected
            // Splunk: at 3:45, -1h is 2:45 and -h@h is 2:00 ("minus 1 hour, then round down to the hour").
            "2024-04-28T03:45:00Z, -1h,         2024-04-28T02:45:00Z",
            "2024-04-28T03:45:00Z, -h@h,        2024-04-28T02:00:00Z",
            "2024-04-28T03:45:00Z, -1h@h,       2024-04-28T02:00:00Z",
            // Splunk: on April 28th at 14:05, -2d is 14:05 on April 26th and -2d@d is 00:00 on April 26th.
            "2024-04-28T14:05:00Z, -2d,         2024-04-26T14:05:00Z",
            "2024-04-28T14:05:00Z, -2d@d,       2024-04-26T00:00:00Z",
            // Snapping always rounds down: at 11:59 @h is 11:00, not 12:00.
            "2024-04-28T11:59:00Z, @h,          2024-04-28T11:00:00Z",
            "2024-04-28T11:59:59Z, @m,          2024-04-28T11:59:00Z",
            "2024-04-28T11:59:59.750Z, @s,      2024-04-28T11:59:59Z",
            "2024-04-28T11:59:00Z, @d,          2024-04-28T00:00:00Z",
            "2024-04-28T11:59:00Z, -1d@d,       2024-04-27T00:00:00Z",
            // @d-2h: the start of today less 2 hours (chained modifiers apply left to right).
            "2024-04-28T11:59:00Z, @d-2h,       2024-04-27T22:00:00Z",
            "2024-04-28T11:59:00Z, -1d@d+2h,    2024-04-27T02:00:00Z",
            // The seed's window ends.
            "2024-03-04T11:00:00Z, -70m@m,      2024-03-04T09:50:00Z",
            "2024-03-04T11:00:00Z, -10m@m,      2024-03-04T10:50:00Z",
            "2024-03-04T11:00:00Z, -70m@h,      2024-03-04T09:00:00Z",
            "2024-03-04T11:00:00Z, now,         2024-03-04T11:00:00Z",
            "2024-03-04T11:00:00Z, +30m,        2024-03-04T11:30:00Z",
            "2024-03-04T11:00:00Z, +1h@h,       2024-03-04T12:00:00Z",
            // Weeks: @w and @w0 snap to Sunday, @w1 to Monday, @w7 is Sunday too. 2024-04-28 is a Sunday.
            "2024-05-01T10:00:00Z, @w,          2024-04-28T00:00:00Z",
            "2024-05-01T10:00:00Z, @w0,         2024-04-28T00:00:00Z",
            "2024-05-01T10:00:00Z, @w7,         2024-04-28T00:00:00Z",
            "2024-05-01T10:00:00Z, @w1,         2024-04-29T00:00:00Z",
            "2024-04-28T10:00:00Z, @w1,         2024-04-22T00:00:00Z",
            "2024-05-01T10:00:00Z, -1w@w1,      2024-04-22T00:00:00Z",
            // Months, quarters (Jan 1, Apr 1, Jul 1, Oct 1) and years, on the calendar.
            "2024-03-31T10:00:00Z, -1mon,       2024-02-29T10:00:00Z",
            "2024-05-17T10:00:00Z, @mon,        2024-05-01T00:00:00Z",
            "2024-05-17T10:00:00Z, -1mon@mon,   2024-04-01T00:00:00Z",
            "2024-05-17T10:00:00Z, @q,          2024-04-01T00:00:00Z",
            "2024-05-17T10:00:00Z, @qtr,        2024-04-01T00:00:00Z",
            "2024-05-17T10:00:00Z, -1y@y,       2023-01-01T00:00:00Z",
            // Long unit names.
            "2024-05-17T10:00:00Z, -15minutes,  2024-05-17T09:45:00Z",
            "2024-05-17T10:00:00Z, -2hours@day, 2024-05-17T00:00:00Z",
            "2024-05-17T10:00:00Z, -30sec,      2024-05-17T09:59:30Z",
    })
    void resolvesLikeSplunk(String run, String modifier, String expected) {
        long r = Instant.parse(run).toEpochMilli();
        assertEquals(Instant.parse(expected), Instant.ofEpochMilli(RelativeTime.parse(modifier).resolve(r)));
    }

    @ParameterizedTest
    @CsvSource({
            "yesterday, is not of the form",
            "-5x,       is not a time unit",
            "@d5,       only weeks snap to a weekday",
            "0,         absolute time",
            "10/19/2018:00:00:00, absolute time",
            "rt-5m,     real-time",
            "-rt-5m,    real-time",
            "-70m@,     is not of the form",
    })
    void refusesWhatAScheduleCannotHonour(String modifier, String reason) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RelativeTime.parse(modifier));
        assertTrue(e.getMessage().contains(reason) && e.getMessage().contains("'" + modifier + "'"), e.getMessage());
    }
}
