package io.procwatch.time;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.parser.CronParser;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;

/**
 * A five-field Unix cron expression ({@code 0 * * * *}, {@code *}{@code /7 * * * *}, {@code 0 9 * * 1-5}) as
 * Splunk's {@code cron_schedule} reads it: minute, hour, day of month, month, day of week, each a list of values,
 * ranges and steps ({@code *}, {@code 5}, {@code 1-5}, {@code *}{@code /7}, {@code 10-50/10}, {@code 1,15}), months
 * and weekdays also by name ({@code jan}, {@code mon}; weekday 0 and 7 are Sunday); evaluated in UTC. A step
 * restarts in every hour ({@code *}{@code /7} runs at {@code :00, :07, … :56}), and when both day fields are
 * restricted a day matches either (cron's rule).
 *
 * <p>The text is first parsed by cron-utils ({@link CronType#UNIX}), so what is accepted and its error messages are
 * the library's. Run times are then computed from the expanded fields here: cron-utils' own
 * {@code nextExecution} costs tens of microseconds a call, and the engine asks for run times on every match.
 * Immutable and thread-safe.
 */
public final class CronSchedule {

    private static final CronParser PARSER = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));
    private static final List<String> MONTHS = List.of("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep",
            "oct", "nov", "dec");
    private static final List<String> DAYS = List.of("sun", "mon", "tue", "wed", "thu", "fri", "sat");
    /** How far ahead a next run is looked for before the schedule is taken to never run again. */
    private static final int SEARCH_DAYS = 5 * 366;

    private final String text;
    private final BitSet minutes;
    private final BitSet hours;
    private final BitSet daysOfMonth;
    private final BitSet months;
    private final BitSet daysOfWeek;   // 0 = Sunday
    private final boolean domRestricted;
    private final boolean dowRestricted;

    private CronSchedule(String text, String[] f) {
        this.text = text;
        this.minutes = field(f[0], 0, 59, null);
        this.hours = field(f[1], 0, 23, null);
        this.daysOfMonth = field(f[2], 1, 31, null);
        this.months = field(f[3], 1, 12, MONTHS);
        BitSet dow = field(f[4], 0, 7, DAYS);
        if (dow.get(7)) {
            dow.set(0);
        }
        this.daysOfWeek = dow;
        this.domRestricted = !f[2].startsWith("*");
        this.dowRestricted = !f[4].startsWith("*");
    }

    /**
     * @throws IllegalArgumentException when the text is not a five-field Unix cron expression
     */
    public static CronSchedule parse(String cron) {
        String t = cron == null ? "" : cron.strip();
        try {
            PARSER.parse(t).validate();
            return new CronSchedule(t, t.toLowerCase(Locale.ROOT).split("\\s+"));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("schedule '" + cron + "' is not a five-field cron expression"
                    + " (minute hour day-of-month month day-of-week): " + e.getMessage());
        }
    }

    /** The values one field allows: a comma list of {@code *}, {@code n}, {@code a-b}, each with an optional {@code /step}. */
    private static BitSet field(String text, int min, int max, List<String> names) {
        BitSet out = new BitSet(max + 1);
        for (String item : text.split(",")) {
            int slash = item.indexOf('/');
            String range = slash < 0 ? item : item.substring(0, slash);
            int step = slash < 0 ? 1 : Integer.parseInt(item.substring(slash + 1));
            int from;
            int to;
            if (range.equals("*")) {
                from = min;
                to = max == 7 ? 6 : max;   // weekday * is 0-6 (7 repeats Sunday)
            } else {
                int dash = range.indexOf('-');
                from = value(dash < 0 ? range : range.substring(0, dash), names);
                to = dash < 0 ? (slash < 0 ? from : max) : value(range.substring(dash + 1), names);
            }
            if (from < min || to > max || from > to || step < 1) {
                throw new IllegalArgumentException("'" + item + "' is outside " + min + "-" + max);
            }
            for (int v = from; v <= to; v += step) {
                out.set(v);
            }
        }
        return out;
    }

    private static int value(String s, List<String> names) {
        if (names != null && names.contains(s)) {
            return names.indexOf(s) + (names == MONTHS ? 1 : 0);
        }
        return Integer.parseInt(s);
    }

    private boolean dayMatches(LocalDate d) {
        boolean dom = daysOfMonth.get(d.getDayOfMonth());
        boolean dow = daysOfWeek.get(d.getDayOfWeek().getValue() % 7);
        if (domRestricted && dowRestricted) {
            return dom || dow;
        }
        return dom && dow;
    }

    /** The first run strictly after {@code time} (epoch ms), or {@link Long#MAX_VALUE} when there is none. */
    public long nextRunAfter(long time) {
        long minute = Math.floorDiv(time, 60_000L) + 1;
        LocalDateTime t = LocalDateTime.ofEpochSecond(minute * 60, 0, ZoneOffset.UTC);
        LocalDate day = t.toLocalDate();
        int hour = t.getHour();
        int min = t.getMinute();
        for (int i = 0; i < SEARCH_DAYS; i++) {
            if (months.get(day.getMonthValue()) && dayMatches(day)) {
                for (int h = hours.nextSetBit(hour); h >= 0; h = hours.nextSetBit(h + 1)) {
                    int m = minutes.nextSetBit(h == hour ? min : 0);
                    if (m >= 0) {
                        return LocalDateTime.of(day, LocalTime.of(h, m)).toEpochSecond(ZoneOffset.UTC) * 1000L;
                    }
                }
            }
            day = day.plusDays(1);
            hour = 0;
            min = 0;
        }
        return Long.MAX_VALUE;
    }

    @Override
    public String toString() {
        return text;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CronSchedule c && c.text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }
}
