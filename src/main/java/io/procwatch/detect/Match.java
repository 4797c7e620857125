package io.procwatch.detect;

import io.procwatch.aggregate.GroupKey;
import io.procwatch.normalize.ProcessEvent;

/**
 * One event that satisfied one detection: a CEP event, created by the detection's right-hand side through
 * {@link Detections#match}, then either suppressed by a filter rule or folded into a notable group.
 */
public final class Match {

    private final DetectionRule rule;
    private final ProcessEvent event;
    private final GroupKey groupKey;
    private String suppressedBy;

    Match(DetectionRule rule, ProcessEvent event, GroupKey groupKey) {
        this.rule = rule;
        this.event = event;
        this.groupKey = groupKey;
    }

    public DetectionRule getRule() {
        return rule;
    }

    /** The detection's {@code @id}, the field filter rules select on. */
    public String getRuleId() {
        return rule.id();
    }

    public ProcessEvent getEvent() {
        return event;
    }

    /** The event's field lower-cased, or null when absent: filters read a match's event as detections do. */
    public String lc(String field) {
        return event.lc(field);
    }

    /** The event's field as read, or null when absent. */
    public String get(String field) {
        return event.get(field);
    }

    /** True when the event carries the field. */
    public boolean has(String field) {
        return event.has(field);
    }

    /** Event time, epoch ms: the CEP timestamp. */
    public long getTime() {
        return event.getTime();
    }

    public GroupKey getGroupKey() {
        return groupKey;
    }

    /** Name of the filter rule that suppressed this match, or {@code null}. */
    public String getSuppressedBy() {
        return suppressedBy;
    }

    /** Called by a filter rule (inside {@code modify}) to drop this match as a known false positive. */
    public void suppress(String filterRuleName) {
        this.suppressedBy = filterRuleName;
    }
}
