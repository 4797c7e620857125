package io.procwatch.time;

import java.time.DayOfWeek;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAdjusters;
import java.util.Locale;
import java.util.Map;

/**
 * The time units of Splunk's relative time modifiers, with the spellings Splunk accepts: {@code s sec secs second
 * seconds}, {@code m min mins minute minutes}, {@code h hr hrs hour hours}, {@code d day days}, {@code w week
 * weeks}, {@code mon month months}, {@code q qtr qtrs quarter quarters}, {@code y yr yrs year years}. Offsets and
 * snaps work on the calendar in UTC (a month back from 31 March is 29 February or 28 February, as
 * {@link ZonedDateTime#minusMonths} has it).
 */
public enum CalendarUnit {
    SECOND(1_000L),
    MINUTE(60_000L),
    HOUR(3_600_000L),
    DAY(86_400_000L),
    WEEK(7 * 86_400_000L),
    MONTH(31 * 86_400_000L),
    QUARTER(92 * 86_400_000L),
    YEAR(366 * 86_400_000L);

    private static final Map<String, CalendarUnit> NAMES = Map.ofEntries(
            Map.entry("s", SECOND), Map.entry("sec", SECOND), Map.entry("secs", SECOND),
            Map.entry("second", SECOND), Map.entry("seconds", SECOND),
            Map.entry("m", MINUTE), Map.entry("min", MINUTE), Map.entry("mins", MINUTE),
            Map.entry("minute", MINUTE), Map.entry("minutes", MINUTE),
            Map.entry("h", HOUR), Map.entry("hr", HOUR), Map.entry("hrs", HOUR),
            Map.entry("hour", HOUR), Map.entry("hours", HOUR),
            Map.entry("d", DAY), Map.entry("day", DAY), Map.entry("days", DAY),
            Map.entry("w", WEEK), Map.entry("week", WEEK), Map.entry("weeks", WEEK),
            Map.entry("mon", MONTH), Map.entry("month", MONTH), Map.entry("months", MONTH),
            Map.entry("q", QUARTER), Map.entry("qtr", QUARTER), Map.entry("qtrs", QUARTER),
            Map.entry("quarter", QUARTER), Map.entry("quarters", QUARTER),
            Map.entry("y", YEAR), Map.entry("yr", YEAR), Map.entry("yrs", YEAR),
            Map.entry("year", YEAR), Map.entry("years", YEAR));

    private final long longestMillis;

    CalendarUnit(long longestMillis) {
        this.longestMillis = longestMillis;
    }

    /** The unit a Splunk unit name stands for, or {@code null}. */
    public static CalendarUnit named(String name) {
        return NAMES.get(name.toLowerCase(Locale.ROOT));
    }

    /**
     * The unit's length when it is fixed in UTC and snapping to it is flooring epoch time by it (seconds to days);
     * 0 for weeks (they snap to a weekday), months, quarters and years.
     */
    long fixedMillis() {
        return ordinal() <= DAY.ordinal() ? longestMillis : 0;
    }

    /** The longest this unit can be (a 31-day month, a 366-day year): bounds how far an offset or snap moves. */
    public long longestMillis() {
        return longestMillis;
    }

    /** {@code t} moved by {@code n} of this unit (calendar arithmetic for months, quarters and years). */
    public ZonedDateTime add(ZonedDateTime t, long n) {
        return switch (this) {
            case SECOND -> t.plusSeconds(n);
            case MINUTE -> t.plusMinutes(n);
            case HOUR -> t.plusHours(n);
            case DAY -> t.plusDays(n);
            case WEEK -> t.plusWeeks(n);
            case MONTH -> t.plusMonths(n);
            case QUARTER -> t.plusMonths(3 * n);
            case YEAR -> t.plusYears(n);
        };
    }

    /**
     * {@code t} rounded down to the start of this unit, as Splunk's {@code @unit} snaps: never forward. A week
     * starts on {@code weekStart} (Splunk's {@code @w} and {@code @w0} are Sunday, {@code @w1} Monday, …).
     */
    public ZonedDateTime snap(ZonedDateTime t, DayOfWeek weekStart) {
        return switch (this) {
            case SECOND -> t.truncatedTo(ChronoUnit.SECONDS);
            case MINUTE -> t.truncatedTo(ChronoUnit.MINUTES);
            case HOUR -> t.truncatedTo(ChronoUnit.HOURS);
            case DAY -> t.truncatedTo(ChronoUnit.DAYS);
            case WEEK -> t.truncatedTo(ChronoUnit.DAYS).with(TemporalAdjusters.previousOrSame(weekStart));
            case MONTH -> t.truncatedTo(ChronoUnit.DAYS).withDayOfMonth(1);
            case QUARTER -> t.truncatedTo(ChronoUnit.DAYS).withDayOfMonth(1)
                    .withMonth((t.getMonthValue() - 1) / 3 * 3 + 1);
            case YEAR -> t.truncatedTo(ChronoUnit.DAYS).withDayOfYear(1);
        };
    }
}
