package io.procwatch.engine;

import io.procwatch.normalize.ProcessEvent;

import java.util.List;

/**
 * An estimate of the heap a queued process event takes: its values as Java strings (two bytes a character, and
 * once more for the lower-cased copies the rules compare against) plus a fixed overhead for the object, its arrays
 * and per-value headers. Deterministic, so the session thread frees exactly what a submitter took.
 */
final class EventFootprint {

    private static final long PER_EVENT = 512;
    private static final long PER_VALUE = 48;

    private EventFootprint() {
    }

    static long bytes(ProcessEvent e) {
        long[] sum = {PER_EVENT};
        e.anyStoredValue(v -> {
            sum[0] += PER_VALUE + 4L * v.length();
            return false;
        });
        return sum[0];
    }

    static long bytes(List<ProcessEvent> events) {
        long n = 0;
        for (ProcessEvent e : events) {
            n += bytes(e);
        }
        return n;
    }
}
