package io.procwatch.state;

import java.util.List;

/**
 * One open notable group as kept in a {@link DetectionState}: its key ({@link io.procwatch.detect.GroupKey}),
 * its window, what it counted so far, and the first event folded in (the risk message reads its fields).
 */
public record GroupState(String ruleId, long windowStart, boolean late, List<String> values, long windowEnd,
                         long closesAt, long count, long firstTime, long lastTime, EventState firstEvent) {
}
