package io.procwatch.time;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The time windows a scheduled search covers, derived from its schedule the way Splunk runs it: a search run by
 * cron at time {@code R} over {@code earliest}/{@code latest} covers {@code [earliest(R), latest(R))}, each a
 * {@link RelativeTime} resolved against {@code R}. For the seed's hourly {@code 0 * * * *} over
 * {@code [-70m@m, -10m@m)} that is {@code [HH:50, HH+1:50)} UTC; {@code *}{@code /7 * * * *} runs at
 * {@code :00, :07, … :56} of every hour, as cron does.
 *
 * <p><b>Notable windows.</b> Each distinct {@code [start, end)} of a run is a notable window: an event belongs to
 * every run whose range covers it (as Splunk would report it from each of those runs), so with overlapping
 * ranges (a 60-minute span every 7 minutes) one match counts in several notables, one per window; with gaps
 * between ranges (an hour's span once a day) a match covered by no run forms no notable (it is still counted as a
 * match). Runs whose ranges are equal (every 7 minutes over {@code [-1h@h, @h)}) share one notable window.
 *
 * <p>Refused (an {@link IllegalArgumentException} naming the reason), because the engine cannot honour it: a cron
 * text that is not five-field Unix cron; modifiers that are absolute or real-time; a range whose latest is before
 * its earliest, or a schedule whose runs cover nothing (it never runs, or every range is empty); more than {@link #MAX_RUNS_PER_EVENT} runs covering one time. Immutable.
 */
public final class ScheduleWindow {

    /** The defaults of {@code @schedule}, {@code @earliest} and {@code @latest}: the seed detection's. */
    public static final String DEFAULT_SCHEDULE = "0 * * * *";
    public static final String DEFAULT_EARLIEST = "-70m@m";
    public static final String DEFAULT_LATEST = "-10m@m";

    /** The most runs whose windows may cover one time: bounds the notable groups one match opens. */
    public static final int MAX_RUNS_PER_EVENT = 1440;

    /** Where the shape of a schedule is sampled: the runs of 400 days from 2024-01-01 (a leap year), at most 5,000. */
    private static final long SAMPLE_FROM = Instant.parse("2024-01-01T00:00:00Z").toEpochMilli();
    private static final long SAMPLE_DAYS = 400;
    private static final int SAMPLE_RUNS = 5_000;

    /**
     * How the windows of a schedule lie, from a sample of its runs.
     *
     * @param maxRunsPerEvent the most distinct windows covering one time (1 for windows that tile time)
     * @param overlaps        true when consecutive windows overlap (an event can be in several notables)
     * @param gaps            true when consecutive windows leave time uncovered (matches there form no notable)
     * @param spanMillis      the span of the first sampled window
     * @param constantSpan    true when every sampled window has that span
     */
    public record Shape(int maxRunsPerEvent, boolean overlaps, boolean gaps, long spanMillis, boolean constantSpan) {

        /** True when every time lies in exactly one window. */
        public boolean tiles() {
            return !overlaps && !gaps;
        }
    }

    private final CronSchedule cron;
    private final RelativeTime earliest;
    private final RelativeTime latest;
    private final Shape shape;

    private ScheduleWindow(CronSchedule cron, RelativeTime earliest, RelativeTime latest) {
        this.cron = cron;
        this.earliest = earliest;
        this.latest = latest;
        this.shape = sampleShape();
    }

    /**
     * @param cron     five-field cron ({@code 0 * * * *}); {@code null} or blank for {@link #DEFAULT_SCHEDULE}
     * @param earliest Splunk relative time ({@code -70m@m}); {@code null} or blank for {@link #DEFAULT_EARLIEST}
     * @param latest   Splunk relative time ({@code -10m@m}, {@code @h}, {@code now}); {@code null} or blank for
     *                 {@link #DEFAULT_LATEST}
     * @throws IllegalArgumentException naming what the engine cannot honour; the message quotes the offending text
     */
    public static ScheduleWindow fromSplunk(String cron, String earliest, String latest) {
        return new ScheduleWindow(CronSchedule.parse(orDefault(cron, DEFAULT_SCHEDULE)),
                RelativeTime.parse(orDefault(earliest, DEFAULT_EARLIEST)),
                RelativeTime.parse(orDefault(latest, DEFAULT_LATEST)));
    }

    private static String orDefault(String v, String d) {
        return v == null || v.isBlank() ? d : v;
    }

    /** The window of the run at {@code run} (epoch ms). */
    public RunWindow windowOf(long run) {
        return new RunWindow(run, earliest.resolve(run), latest.resolve(run));
    }

    /**
     * Every notable window that covers {@code time}, oldest first: one per distinct range of the runs whose
     * {@code [earliest, latest)} holds it; empty when no run covers it.
     */
    public List<RunWindow> windowsCovering(long time) {
        // Both ends move forward with the run time, so the runs covering `time` are consecutive, and lie between
        // `time` less the farthest latest can reach and `time` plus the farthest earliest can reach.
        long from = time - latest.maxShiftMillis();
        long to = time + earliest.maxShiftMillis();
        List<RunWindow> out = new ArrayList<>(2);
        for (long run = cron.nextRunAfter(from - 1); run != Long.MAX_VALUE && run <= to; run = cron.nextRunAfter(run)) {
            RunWindow w = windowOf(run);
            if (w.start() > time) {
                break;
            }
            if (w.covers(time)) {
                RunWindow last = out.isEmpty() ? null : out.get(out.size() - 1);
                if (last == null || last.start() != w.start() || last.end() != w.end()) {
                    out.add(w);
                }
            }
        }
        return out;
    }

    private Shape sampleShape() {
        long limit = SAMPLE_FROM + SAMPLE_DAYS * 86_400_000L;
        List<RunWindow> sample = new ArrayList<>();
        for (long run = cron.nextRunAfter(SAMPLE_FROM - 1); run != Long.MAX_VALUE && run < limit
                && sample.size() < SAMPLE_RUNS; run = cron.nextRunAfter(run)) {
            RunWindow w = windowOf(run);
            if (w.end() < w.start()) {
                throw new IllegalArgumentException("latest '" + latest + "' is before earliest '" + earliest
                        + "' for the run at " + Instant.ofEpochMilli(run) + " (window " + Instant.ofEpochMilli(w.start())
                        + " to " + Instant.ofEpochMilli(w.end()) + ")");
            }
            if (w.end() == w.start()) {
                continue;   // an empty run (the midnight run of [@d, @h)) covers nothing
            }
            RunWindow last = sample.isEmpty() ? null : sample.get(sample.size() - 1);
            if (last == null || last.start() != w.start() || last.end() != w.end()) {
                sample.add(w);
            }
        }
        if (sample.isEmpty()) {
            throw new IllegalArgumentException("schedule '" + cron + "' over [" + earliest + ", " + latest
                    + ") covers nothing (it never runs, or every run's latest is not after its earliest) in the "
                    + SAMPLE_DAYS + " days from " + Instant.ofEpochMilli(SAMPLE_FROM));
        }
        boolean overlaps = false;
        boolean gaps = false;
        long span = sample.get(0).end() - sample.get(0).start();
        boolean constantSpan = true;
        int maxCover = 1;
        int first = 0;   // windows before `first` end at or before the current window's start
        for (int k = 0; k < sample.size(); k++) {
            RunWindow w = sample.get(k);
            constantSpan &= w.end() - w.start() == span;
            if (k > 0) {
                RunWindow prev = sample.get(k - 1);
                overlaps |= w.start() < prev.end();
                gaps |= w.start() > prev.end();
            }
            while (sample.get(first).end() <= w.start()) {
                first++;
            }
            maxCover = Math.max(maxCover, k - first + 1);
        }
        if (maxCover > MAX_RUNS_PER_EVENT) {
            throw new IllegalArgumentException("schedule '" + cron + "' over [" + earliest + ", " + latest + ") puts one"
                    + " event in up to " + maxCover + " windows; at most " + MAX_RUNS_PER_EVENT + " are kept apart");
        }
        return new Shape(maxCover, overlaps, gaps, span, constantSpan);
    }

    /** How the windows lie (overlaps, gaps, runs per event), from the runs of a sample year. */
    public Shape shape() {
        return shape;
    }

    public CronSchedule cron() {
        return cron;
    }

    public RelativeTime earliest() {
        return earliest;
    }

    public RelativeTime latest() {
        return latest;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ScheduleWindow w && w.cron.equals(cron) && w.earliest.equals(earliest)
                && w.latest.equals(latest);
    }

    @Override
    public int hashCode() {
        return Objects.hash(cron, earliest, latest);
    }

    /** {@code 0 * * * * over [-70m@m, -10m@m)}. */
    @Override
    public String toString() {
        return cron + " over [" + earliest + ", " + latest + ")";
    }
}
