package io.procwatch.risk;

/**
 * A result that alerted, remembered for its detection's {@code @throttle} window: a later result with the same
 * key before {@code until} is throttled. Carried over a rule reload when its detection is unchanged.
 */
public final class ThrottleMark {

    private final String ruleId;
    private final String key;
    private final long expiresAt;
    private final String notableId;

    /** The mark of a result that alerts now. */
    public ThrottleMark(DetectionResult r) {
        this(r.getRuleId(), r.getThrottleKey(), r.getTime() + r.getThrottleWindow(), r.getNotable().id());
    }

    /** A mark as a checkpoint kept it (see {@code io.procwatch.state}). */
    public ThrottleMark(String ruleId, String key, long until, String notableId) {
        this.ruleId = ruleId;
        this.key = key;
        this.expiresAt = until;
        this.notableId = notableId;
    }

    public String getRuleId() {
        return ruleId;
    }

    public String getKey() {
        return key;
    }

    /** End of the throttle window (event time, ms). */
    public long getExpiresAt() {
        return expiresAt;
    }

    /** The notable that alerted. */
    public String getNotableId() {
        return notableId;
    }
}
