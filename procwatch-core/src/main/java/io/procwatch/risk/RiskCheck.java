package io.procwatch.risk;

/**
 * A transient fact: "check the windows that end at this risk event". Inserted as each risk event is published,
 * deleted once the incident rules have looked; anchoring each window at a risk event makes the windows slide in
 * event time (the largest sum or distinct count over any span of that length ends at some risk event).
 */
public final class RiskCheck {

    private final String riskObject;
    private final String riskObjectType;
    private final long at;

    public RiskCheck(RiskEvent e) {
        this.riskObject = e.getRiskObject();
        this.riskObjectType = e.getRiskObjectType();
        this.at = e.getTime();
    }

    public String getRiskObject() {
        return riskObject;
    }

    public String getRiskObjectType() {
        return riskObjectType;
    }

    /** The window's end: the risk event's time. */
    public long getAt() {
        return at;
    }
}
