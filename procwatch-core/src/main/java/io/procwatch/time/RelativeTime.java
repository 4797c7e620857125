package io.procwatch.time;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Splunk relative time modifier ({@code -70m@m}, {@code -1h@h}, {@code @h}, {@code -1d@d}, {@code @w1},
 * {@code @d+2h}, {@code now}) resolved against the time a search runs.
 *
 * <p>Semantics, as Splunk documents them: the text is a chain of steps applied left to right to the run time.
 * An offset {@code [+|-]<n><unit>} moves by {@code n} units ({@code n} defaults to 1: {@code -h} is
 * {@code -1h}); a snap {@code @<unit>} rounds down to the start of the unit, never forward (at 11:59
 * {@code @h} is 11:00). Weeks snap to Sunday ({@code @w}, {@code @w0}, {@code @w7}) or to the weekday
 * {@code @w1}…{@code @w6} names (Monday…Saturday). Units: see {@link CalendarUnit}. {@code now} (or an empty
 * text) is the run time itself. Time is UTC.
 *
 * <p>Refused, because a scheduled window cannot honour them: absolute times ({@code 0}, {@code 1},
 * {@code 10/19/2018:00:00:00}: not relative to a run) and real-time modifiers ({@code rt}, {@code -rt-5m}).
 * Immutable.
 */
public final class RelativeTime {

    /** One step of the chain: an offset by {@code amount} units, or a snap when {@code snap} is true. */
    private record Step(CalendarUnit unit, long amount, boolean snap, DayOfWeek weekStart) {
    }

    private static final Pattern OFFSET = Pattern.compile("([+-])(\\d*)([a-zA-Z]+)");
    private static final Pattern SNAP = Pattern.compile("@([a-zA-Z]+)([0-7])?");

    private final String text;
    private final List<Step> steps;

    private RelativeTime(String text, List<Step> steps) {
        this.text = text;
        this.steps = List.copyOf(steps);
    }

    /**
     * Parses a modifier.
     *
     * @throws IllegalArgumentException naming the part that is not a Splunk relative time, or that a scheduled
     *                                  window cannot honour
     */
    public static RelativeTime parse(String modifier) {
        String t = modifier == null ? "" : modifier.strip();
        if (t.isEmpty() || t.equalsIgnoreCase("now")) {
            return new RelativeTime("now", List.of());
        }
        if (t.matches("(?i)[+-]?rt([+@-].*)?")) {
            throw new IllegalArgumentException("relative time '" + modifier
                    + "' is a real-time modifier; a scheduled window needs a plain relative time such as -70m@m");
        }
        if (t.matches("\\d.*")) {
            throw new IllegalArgumentException("'" + modifier + "' is an absolute time; a scheduled window needs a time"
                    + " relative to each run, such as -70m@m, @h or now");
        }
        List<Step> steps = new ArrayList<>();
        int at = 0;
        while (at < t.length()) {
            Matcher o = OFFSET.matcher(t).region(at, t.length());
            Matcher s = SNAP.matcher(t).region(at, t.length());
            if (o.lookingAt()) {
                CalendarUnit unit = unit(modifier, o.group(3));
                long n = o.group(2).isEmpty() ? 1 : Long.parseLong(o.group(2));
                steps.add(new Step(unit, o.group(1).equals("-") ? -n : n, false, null));
                at = o.end();
            } else if (s.lookingAt()) {
                CalendarUnit unit = unit(modifier, s.group(1));
                DayOfWeek weekStart = DayOfWeek.SUNDAY;
                if (s.group(2) != null) {
                    if (unit != CalendarUnit.WEEK) {
                        throw new IllegalArgumentException("relative time '" + modifier + "': only weeks snap to a"
                                + " weekday (@w0 … @w7), not @" + s.group(1) + s.group(2));
                    }
                    int d = Integer.parseInt(s.group(2)) % 7;   // 0 and 7 are Sunday
                    weekStart = d == 0 ? DayOfWeek.SUNDAY : DayOfWeek.of(d);
                }
                steps.add(new Step(unit, 0, true, weekStart));
                at = s.end();
            } else {
                throw new IllegalArgumentException("relative time '" + modifier + "' is not of the form"
                        + " [+|-]<n><unit>[@<unit>] (e.g. -70m@m, -1h@h, @d, now) at '" + t.substring(at) + "'");
            }
        }
        return new RelativeTime(t, steps);
    }

    private static CalendarUnit unit(String modifier, String name) {
        CalendarUnit u = CalendarUnit.named(name);
        if (u == null) {
            throw new IllegalArgumentException("relative time '" + modifier + "': '" + name + "' is not a time unit"
                    + " (s, m, h, d, w, mon, q, y)");
        }
        return u;
    }

    /** The time this modifier names for a search run at {@code runTime} (epoch ms). */
    public long resolve(long runTime) {
        if (steps.isEmpty()) {
            return runTime;
        }
        long t = runTime;
        for (Step s : steps) {
            long fixed = s.unit().fixedMillis();
            if (fixed > 0) {
                // Seconds to days are fixed lengths in UTC: plain arithmetic (this runs for every match).
                t = s.snap() ? Math.floorDiv(t, fixed) * fixed : t + s.amount() * fixed;
            } else {
                ZonedDateTime z = Instant.ofEpochMilli(t).atZone(ZoneOffset.UTC);
                t = (s.snap() ? s.unit().snap(z, s.weekStart()) : s.unit().add(z, s.amount())).toInstant().toEpochMilli();
            }
        }
        return t;
    }

    /** An upper bound of {@code |resolve(r) - r|} for every {@code r}: how far a run's window can lie from the run. */
    long maxShiftMillis() {
        long max = 0;
        for (Step s : steps) {
            max += s.snap() ? s.unit().longestMillis() : Math.abs(s.amount()) * s.unit().longestMillis();
        }
        return max;
    }

    /** The modifier as written ({@code now} for an empty one). */
    @Override
    public String toString() {
        return text;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RelativeTime r && r.steps.equals(steps);
    }

    @Override
    public int hashCode() {
        return steps.hashCode();
    }
}
