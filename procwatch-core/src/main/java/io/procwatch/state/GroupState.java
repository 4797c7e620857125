package io.procwatch.state;

import io.procwatch.aggregate.Provenance;

import java.util.List;

/**
 * One open notable group as kept in a {@link DetectionState}: its key ({@link io.procwatch.detect.GroupKey}),
 * its window, what it counted so far, the first event folded in (the risk message reads its fields), and the
 * provenance of its earliest events (the notable's {@code evidence}; null in a state of format 1).
 */
public record GroupState(String ruleId, long windowStart, boolean late, List<String> values, long windowEnd,
                         long closesAt, long count, long firstTime, long lastTime, EventState firstEvent,
                         List<Provenance> evidence) {
}
