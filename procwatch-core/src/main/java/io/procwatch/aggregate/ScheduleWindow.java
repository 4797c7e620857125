package io.procwatch.aggregate;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The time windows a scheduled search covers, derived from its schedule the way Splunk runs it: a search run
 * by cron at time R over {@code earliest=-70m@m latest=-10m@m} covers {@code [R-70m, R-10m)}. For the seed's
 * hourly {@code 0 * * * *} that is the windows {@code [HH:50, HH+1:50)} UTC.
 *
 * <p>Supported: cron {@code M * * * *} (hourly), {@code *}/{@code N * * * *} (every N minutes),
 * {@code M H * * *} (daily); relative times {@code -<n>(s|m|h|d)} with an optional {@code @m}/{@code @h}
 * snap (a no-op for runs that start on the minute or hour). The windows must tile time
 * (latest − earliest = the cron period), so every event falls in exactly one window.
 */
public final class ScheduleWindow {

    private static final Pattern RELATIVE = Pattern.compile("^(?:([+-]\\d+)([smhd]))?(?:@([smhd]))?$");
    private static final long MINUTE = 60_000L;

    private final long period;
    private final long endOffset;  // where a window ends within the period (epoch-aligned, UTC)
    private final String description;

    private ScheduleWindow(long period, long endOffset, String description) {
        this.period = period;
        this.endOffset = endOffset;
        this.description = description;
    }

    /**
     * @param cron     five-field cron ({@code 0 * * * *})
     * @param earliest Splunk relative time ({@code -70m@m})
     * @param latest   Splunk relative time ({@code -10m@m}, or {@code now})
     * @throws IllegalArgumentException naming the unsupported part
     */
    public static ScheduleWindow fromSplunk(String cron, String earliest, String latest) {
        String[] f = cron.trim().split("\\s+");
        if (f.length != 5 || !f[2].equals("*") || !f[3].equals("*") || !f[4].equals("*")) {
            throw new IllegalArgumentException("schedule '" + cron + "': only hourly, every-N-minutes and daily cron forms are supported");
        }
        long period;
        long runOffset;
        if (f[0].startsWith("*/") && f[1].equals("*")) {
            period = Long.parseLong(f[0].substring(2)) * MINUTE;
            runOffset = 0;
        } else if (f[1].equals("*")) {
            period = 60 * MINUTE;
            runOffset = Long.parseLong(f[0]) * MINUTE;
        } else {
            period = 24 * 60 * MINUTE;
            runOffset = (Long.parseLong(f[1]) * 60 + Long.parseLong(f[0])) * MINUTE;
        }
        long from = relative(earliest);
        long to = relative(latest);
        if (to - from != period) {
            throw new IllegalArgumentException("earliest '" + earliest + "' to latest '" + latest
                    + "' spans " + (to - from) / MINUTE + " min but the schedule runs every " + period / MINUTE
                    + " min; windows must tile time so each event is counted once");
        }
        long endOffset = Math.floorMod(runOffset + to, period);
        return new ScheduleWindow(period, endOffset, cron + " over [" + earliest + ", " + latest + ")");
    }

    /** A fixed tiling window: {@code period} long, ending {@code endOffset} into each period. */
    public static ScheduleWindow tiling(long periodMillis, long endOffsetMillis) {
        return new ScheduleWindow(periodMillis, Math.floorMod(endOffsetMillis, periodMillis),
                "every " + periodMillis / MINUTE + " min");
    }

    private static long relative(String s) {
        String t = s.trim();
        if (t.equals("now") || t.isEmpty()) {
            return 0;
        }
        Matcher m = RELATIVE.matcher(t);
        if (!m.matches() || m.group(1) == null) {
            throw new IllegalArgumentException("relative time '" + s + "' is not of the form -<n>(s|m|h|d)[@unit]");
        }
        long n = Long.parseLong(m.group(1));
        long unit = switch (m.group(2)) {
            case "s" -> 1000L;
            case "m" -> MINUTE;
            case "h" -> 60 * MINUTE;
            default -> 24 * 60 * MINUTE;
        };
        return n * unit;
    }

    /** Start (inclusive) of the window holding {@code time}. */
    public long windowStart(long time) {
        return windowEnd(time) - period;
    }

    /** End (exclusive) of the window holding {@code time}. */
    public long windowEnd(long time) {
        long k = Math.floorDiv(time - endOffset, period);
        return (k + 1) * period + endOffset;
    }

    public long periodMillis() {
        return period;
    }

    @Override
    public String toString() {
        return description;
    }
}
