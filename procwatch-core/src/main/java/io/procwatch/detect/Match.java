package io.procwatch.detect;

import io.procwatch.normalize.ProcessEvent;

import java.util.List;

/**
 * One event that satisfied one detection: a CEP event, created by the detection's right-hand side through
 * {@link Detections#match}, then either suppressed by a filter rule or folded into a notable group.
 */
public final class Match {

    private final DetectionRule rule;
    private final ProcessEvent event;
    private final List<GroupKey> groupKeys;
    private String suppressedBy;

    Match(DetectionRule rule, ProcessEvent event, List<GroupKey> groupKeys) {
        this.rule = rule;
        this.event = event;
        this.groupKeys = List.copyOf(groupKeys);
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

    /**
     * The notable group of each window that covers this match, oldest first: one for windows that tile time,
     * several where the schedule's windows overlap, none where its windows leave a gap.
     */
    public List<GroupKey> getGroupKeys() {
        return groupKeys;
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
