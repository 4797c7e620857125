package io.procwatch.aggregate;

import io.procwatch.detect.DetectionRule;
import io.procwatch.detect.GroupKey;
import io.procwatch.detect.Match;
import io.procwatch.normalize.ProcessEvent;

/**
 * A notable being accumulated: the matches of one detection, one window and one group, reduced to
 * what Splunk's {@code stats count min(_time) max(_time) by …} keeps. A plain fact, deleted when it closes.
 */
public final class NotableGroup {

    private final DetectionRule rule;
    private final GroupKey key;
    private final long windowEnd;
    private final long closesAt;
    private final ProcessEvent firstEvent;
    private long count;
    private long firstTime = Long.MAX_VALUE;
    private long lastTime = Long.MIN_VALUE;
    /**
     * The provenance of the {@link #EVIDENCE_LIMIT} earliest contributing events (by time, then reference), so
     * the list does not depend on the order the inputs were read in.
     */
    private final java.util.List<Provenance> evidence = new java.util.ArrayList<>(2);

    /** How many contributing events a notable lists by provenance ({@code count} has them all). */
    public static final int EVIDENCE_LIMIT = 10;

    /**
     * Opens a group with its first match. It closes when the watermark reaches its window's end; a late
     * group (its window had closed before the match arrived) closes at the next watermark update.
     */
    public NotableGroup(WindowMatch first) {
        this.rule = first.getMatch().getRule();
        this.key = first.getKey();
        this.windowEnd = key.windowEnd();
        this.closesAt = key.late() ? Long.MIN_VALUE : windowEnd;
        this.firstEvent = first.getMatch().getEvent();
        add(first);
    }

    private NotableGroup(DetectionRule rule, GroupKey key, long windowEnd, long closesAt, ProcessEvent firstEvent,
                         long count, long firstTime, long lastTime) {
        this.rule = rule;
        this.key = key;
        this.windowEnd = windowEnd;
        this.closesAt = closesAt;
        this.firstEvent = firstEvent;
        this.count = count;
        this.firstTime = firstTime;
        this.lastTime = lastTime;
    }

    /** A group as a checkpoint kept it (see {@code io.procwatch.state}), under {@code rule} of the restoring rules. */
    public static NotableGroup restore(DetectionRule rule, GroupKey key, long windowEnd, long closesAt,
                                       ProcessEvent firstEvent, long count, long firstTime, long lastTime,
                                       java.util.List<Provenance> evidence) {
        NotableGroup g = new NotableGroup(rule, key, windowEnd, closesAt, firstEvent, count, firstTime, lastTime);
        if (evidence != null) {
            g.evidence.addAll(evidence);
        }
        return g;
    }

    /** Folds one more match (placed in this group's window) in. */
    public void add(WindowMatch placed) {
        Match m = placed.getMatch();
        count++;
        firstTime = Math.min(firstTime, m.getTime());
        lastTime = Math.max(lastTime, m.getTime());
        if (evidence.size() < EVIDENCE_LIMIT) {
            evidence.add(Provenance.of(m.getEvent()));
            evidence.sort(Provenance.ORDER);
        } else if (m.getTime() <= evidence.get(EVIDENCE_LIMIT - 1).time()) {
            Provenance p = Provenance.of(m.getEvent());
            if (Provenance.ORDER.compare(p, evidence.get(EVIDENCE_LIMIT - 1)) < 0) {
                evidence.set(EVIDENCE_LIMIT - 1, p);
                evidence.sort(Provenance.ORDER);
            }
        }
    }

    /** Provenance of the earliest {@link #EVIDENCE_LIMIT} contributing events, earliest first. */
    public java.util.List<Provenance> getEvidence() {
        return java.util.Collections.unmodifiableList(evidence);
    }

    public GroupKey getKey() {
        return key;
    }

    public DetectionRule getRule() {
        return rule;
    }

    public long getWindowStart() {
        return key.windowStart();
    }

    public long getWindowEnd() {
        return windowEnd;
    }

    /** Watermark time at which this group is emitted. */
    public long getClosesAt() {
        return closesAt;
    }

    public long getCount() {
        return count;
    }

    public long getFirstTime() {
        return firstTime;
    }

    public long getLastTime() {
        return lastTime;
    }

    /** The first event folded in: fills risk-message fields that are not group-by fields. */
    public ProcessEvent getFirstEvent() {
        return firstEvent;
    }
}
