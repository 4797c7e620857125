package io.procwatch.time;

/**
 * The events one run of a scheduled search covers: {@code [start, end)}, epoch ms.
 *
 * @param run   when the search runs (a time of its cron schedule)
 * @param start {@code earliest} resolved against {@code run}, inclusive
 * @param end   {@code latest} resolved against {@code run}, exclusive
 */
public record RunWindow(long run, long start, long end) {

    /** True when {@code time} lies in {@code [start, end)}. */
    public boolean covers(long time) {
        return start <= time && time < end;
    }
}
