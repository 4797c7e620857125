package io.procwatch.risk;

import io.procwatch.aggregate.Notable;
import io.procwatch.detect.DetectionRule;
import io.procwatch.detect.RiskMetadata;
import io.procwatch.normalize.ProcessEvent;

/**
 * One detection result (a closed notable group: one row of Splunk's {@code stats … by}) on its way out: the
 * throttling rules decide whether it alerts, the risk rules make its risk events, then it becomes a notable or is
 * counted as throttled. A plain fact, deleted once done.
 */
public final class DetectionResult {

    /** What the throttling rules decided. */
    public enum State { UNDECIDED, ALERT, THROTTLED }

    private final DetectionRule rule;
    private final RiskMetadata risk;
    private Notable notable;
    private ProcessEvent firstEvent;
    private final long time;
    private final long lastTime;
    private final String throttleKey;
    private final String id;
    private State state = State.UNDECIDED;
    private String alertedNotableId;
    private boolean riskEventsMade;

    DetectionResult(DetectionRule rule, RiskMetadata risk, Notable notable, ProcessEvent firstEvent, long time,
                    long lastTime, String throttleKey) {
        this.rule = rule;
        this.risk = risk;
        this.notable = notable;
        this.firstEvent = firstEvent;
        this.time = time;
        this.lastTime = lastTime;
        this.throttleKey = throttleKey;
        this.alertedNotableId = notable.id();
        this.id = notable.id();
    }

    /** Its own notable's id (detection, window, late flag, group values), also when it is throttled. */
    public String getId() {
        return id;
    }

    public DetectionRule getRule() {
        return rule;
    }

    public String getRuleId() {
        return rule.id();
    }

    RiskMetadata risk() {
        return risk;
    }

    /** The notable this result alerts as (enriched with assets and identities). */
    public Notable getNotable() {
        return notable;
    }

    /** A field of the result: the notable's (group-by and risk fields), else the first event's. */
    public String value(String field) {
        Object v = notable.fields().get(field);
        if (v instanceof String s) {
            return s;
        }
        return firstEvent.get(field);
    }

    /** The result's time for throttling: its window's end, when Splunk's scheduled search would have run. */
    public long getTime() {
        return time;
    }

    /** The newest event time of the result: the risk events' {@code _time}. */
    public long getLastTime() {
        return lastTime;
    }

    /** Detection id and the values of its {@code @throttle} fields; {@code null} when it is not throttled. */
    public String getThrottleKey() {
        return throttleKey;
    }

    /** The throttle window, ms (0 without {@code @throttle}). */
    public long getThrottleWindow() {
        return risk.throttle() == null ? 0 : risk.throttle().windowMillis();
    }

    public State getState() {
        return state;
    }

    public boolean isRiskEventsMade() {
        return riskEventsMade;
    }

    /** The notable this result's risk events belong to: its own, or, when throttled, the one that alerted. */
    public String getAlertedNotableId() {
        return alertedNotableId;
    }

    /** Called (inside {@code modify}) by the throttling rules: the result alerts. */
    public void alert() {
        state = State.ALERT;
    }

    /** Called (inside {@code modify}) by the throttling rules: a result with equal fields alerted within the window. */
    public void throttledBy(ThrottleMark mark) {
        state = State.THROTTLED;
        alertedNotableId = mark.getNotableId();
    }

    /**
     * The notable, handed out once as the result leaves: the result then lets go of it and of its first event.
     * Drools may keep a deleted fact reachable from the activations that inserted facts still in working memory
     * (its risk events, kept for days), so a result must not pin its notable and event that long.
     */
    public Notable release() {
        Notable n = notable;
        notable = null;
        firstEvent = null;
        return n;
    }

    /** Called (inside {@code modify}) once the risk rules have inserted this result's risk events. */
    public void markRiskEventsMade() {
        riskEventsMade = true;
    }
}
