package io.procwatch.time;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Run times against cron-utils' own {@code nextExecution} as the oracle. */
class CronScheduleTest {

    @ParameterizedTest
    @ValueSource(strings = {"0 * * * *", "*/7 * * * *", "0 9 * * 1-5", "30 2 * * *", "15,45 */3 * * *",
            "5-50/10 8-17 * * mon-fri", "0 0 1 * *", "0 0 29 2 *", "0 12 13 * 5", "0 0 * jan,jul sun", "*/15 * * * 7",
            "0 0 1-7 * 1", "59 23 31 12 *", "5/20 * * * *"})
    void agreesWithCronUtils(String cron) {
        ExecutionTime oracle = ExecutionTime.forCron(
                new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX)).parse(cron));
        CronSchedule schedule = CronSchedule.parse(cron);
        Random random = new Random(cron.hashCode());
        long from = Instant.parse("2023-01-01T00:00:00Z").toEpochMilli();
        for (int i = 0; i < 300; i++) {
            long t = from + (long) (random.nextDouble() * 3 * 365 * 86_400_000L);
            if (i % 3 == 0) {
                t -= t % 60_000;   // exactly on a minute, often a run time itself
            }
            long expected = oracle.nextExecution(Instant.ofEpochMilli(t).atZone(ZoneOffset.UTC))
                    .map(z -> z.toInstant().toEpochMilli()).orElse(Long.MAX_VALUE);
            assertEquals(Instant.ofEpochMilli(expected), Instant.ofEpochMilli(schedule.nextRunAfter(t)),
                    cron + " after " + Instant.ofEpochMilli(t));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"0 * * *", "60 * * * *", "* 24 * * *", "0 0 32 * *", "every hour", "0 0 * * 8"})
    void refusesWhatIsNotUnixCron(String cron) {
        assertThrows(IllegalArgumentException.class, () -> CronSchedule.parse(cron));
    }
}
