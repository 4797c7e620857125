package io.procwatch.engine;

import io.procwatch.read.Origin;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a scan saw, for the summary and {@code --stats}. The accounting holds by construction:
 * {@code events == processEvents + otherEvents + rejected}.
 * Written by the reader thread (input and record counts) and the session thread (the rest); read after both end.
 */
public final class ScanStats {

    /** How many rejections and problem inputs are kept with their origin. */
    public static final int SAMPLES = 100;

    /** One rejected record or failed input, with where it was. */
    public record Problem(String where, String reason) {
        @Override
        public String toString() {
            return where + ": " + reason;
        }
    }

    long inputs;
    long events;
    long processEvents;
    long otherEvents;
    long rejected;
    final Map<String, Long> rejectedByReason = new TreeMap<>();
    final List<Problem> rejections = new ArrayList<>();
    final List<Problem> failedInputs = new ArrayList<>();
    final List<Problem> skippedInputs = new ArrayList<>();
    long skippedInputCount;
    long failedInputCount;
    long late;
    List<Origin> lateSamples = List.of();
    Map<String, Long> matches = Map.of();
    Map<String, Long> suppressed = Map.of();
    Map<String, Long> throttled = Map.of();
    long riskEvents;
    long incidents;
    final Map<String, Long> notables = new TreeMap<>();
    Map<String, String> titles = Map.of();
    long notableTotal;
    double seconds;
    long readerCpuNanos;
    long sessionCpuNanos;
    /** Process events outside {@code --from/--to} (counted among the process events, not evaluated). */
    long outsideTimeRange;
    long firstEventTime = Long.MAX_VALUE;
    long lastEventTime = Long.MIN_VALUE;

    /** Process events read but outside the scan's event time range, so not given to the rules. */
    public long outsideTimeRange() {
        return outsideTimeRange;
    }

    /** The earliest process event time scanned (epoch ms UTC), or {@code Long.MAX_VALUE} when there was none. */
    public long firstEventTime() {
        return firstEventTime;
    }

    /** The latest process event time scanned (epoch ms UTC), or {@code Long.MIN_VALUE} when there was none. */
    public long lastEventTime() {
        return lastEventTime;
    }

    void reject(Origin origin, String reason) {
        events++;
        rejected++;
        rejectedByReason.merge(reasonClass(reason), 1L, Long::sum);
        if (rejections.size() < SAMPLES) {
            rejections.add(new Problem(origin.toString(), reason));
        }
    }

    /** The reason without its particulars, so counts group: "malformed event XML: …" → "malformed event XML". */
    static String reasonClass(String reason) {
        int cut = reason.length();
        for (char c : new char[]{':', '(', '\''}) {
            int i = reason.indexOf(c);
            if (i > 0) {
                cut = Math.min(cut, i);
            }
        }
        return reason.substring(0, cut).strip();
    }

    public long inputs() {
        return inputs;
    }

    public long events() {
        return events;
    }

    public long processEvents() {
        return processEvents;
    }

    public long otherEvents() {
        return otherEvents;
    }

    public long rejected() {
        return rejected;
    }

    public Map<String, Long> rejectedByReason() {
        return rejectedByReason;
    }

    public List<Problem> rejections() {
        return rejections;
    }

    public List<Problem> failedInputs() {
        return failedInputs;
    }

    public List<Problem> skippedInputs() {
        return skippedInputs;
    }

    /** Inputs that could not be read (missing, unreadable, not event data when named explicitly). */
    public long failedInputCount() {
        return failedInputCount;
    }

    public long skippedInputCount() {
        return skippedInputCount;
    }

    public long late() {
        return late;
    }

    public List<Origin> lateSamples() {
        return lateSamples;
    }

    /** Matches per detection id, before filters. */
    public Map<String, Long> matches() {
        return matches;
    }

    /** Matches removed by filter rules, per detection id. */
    public Map<String, Long> suppressed() {
        return suppressed;
    }

    /** Results throttled (no notable; their risk events counted) per detection id. */
    public Map<String, Long> throttled() {
        return throttled;
    }

    /** Risk events published. */
    public long riskEvents() {
        return riskEvents;
    }

    /** Risk incidents raised (also counted among the notables). */
    public long incidents() {
        return incidents;
    }

    /** Notables per detection id. */
    public Map<String, Long> notables() {
        return notables;
    }

    /** Detection id → title. */
    public Map<String, String> titles() {
        return titles;
    }

    public long notableTotal() {
        return notableTotal;
    }

    public long matchTotal() {
        return matches.values().stream().mapToLong(Long::longValue).sum();
    }

    public double seconds() {
        return seconds;
    }

    /** CPU time of the reader thread (read and normalize), for finding the bottleneck stage. */
    public long readerCpuNanos() {
        return readerCpuNanos;
    }

    /** CPU time of the session thread (Drools detections, aggregation, writing). */
    public long sessionCpuNanos() {
        return sessionCpuNanos;
    }
}
