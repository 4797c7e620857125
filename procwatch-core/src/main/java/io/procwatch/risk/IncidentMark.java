package io.procwatch.risk;

/**
 * Per incident rule and risk object: the end of the window it last fired for. Its rule counts only risk events
 * after that time, so an object fires once per window and again only when events newer than the last incident
 * cross the threshold on their own. Removed when the object's last risk event has expired.
 */
public final class IncidentMark {

    private final String rule;
    private final String riskObject;
    private final String riskObjectType;
    private long firedAt = Long.MIN_VALUE;

    public IncidentMark(String rule, String riskObject, String riskObjectType) {
        this.rule = rule;
        this.riskObject = riskObject;
        this.riskObjectType = riskObjectType;
    }

    public String getRule() {
        return rule;
    }

    public String getRiskObject() {
        return riskObject;
    }

    public String getRiskObjectType() {
        return riskObjectType;
    }

    /** End of the window of the last incident (event time, ms); {@code Long.MIN_VALUE} before the first. */
    public long getFiredAt() {
        return firedAt;
    }

    /** Called (inside {@code modify}) by an incident rule as it fires for the window ending at {@code at}. */
    public void fired(long at) {
        firedAt = at;
    }
}
