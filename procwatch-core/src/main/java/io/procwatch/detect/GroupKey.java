package io.procwatch.detect;

import java.util.List;

/**
 * What makes two matches the same notable: the detection, the window, and the values of its group-by fields.
 * Late matches (their window already closed) form groups of their own, so a closed notable is never reopened.
 *
 * @param ruleId      the detection's id
 * @param windowStart epoch ms, inclusive
 * @param windowEnd   epoch ms, exclusive: windows of one schedule may share a start ({@code [@d, now)} run
 *                    hourly), so the end is part of the key
 * @param late        true for matches that arrived after their window closed
 * @param values      group-by values in {@code @groupBy} order; an element is {@code null} for a missing field
 *                    when the detection has no {@code @fillnull}
 */
public record GroupKey(String ruleId, long windowStart, long windowEnd, boolean late, List<String> values) {
}
