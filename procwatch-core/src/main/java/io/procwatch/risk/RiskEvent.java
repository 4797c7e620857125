package io.procwatch.risk;

import io.procwatch.lookup.AttackTactics.Tactic;

import java.util.ArrayList;
import java.util.List;

/**
 * A risk event (Splunk ES's risk index entry): one risk object of one detection result, with its base score and
 * the score the risk factor rules calculate. A CEP event ({@code model.drl}) kept for the longest incident window.
 *
 * <p>Until it is published it also carries what its output record and the factor rules need (message, threat
 * objects, the notable it belongs to, asset and identity fields); publishing writes the record and drops those, so
 * what stays in memory for the incident windows is what the incident rules read: time, object, type, calculated
 * score, source and the ATT&amp;CK ids (lists shared by every risk event of a detection).
 */
public final class RiskEvent {

    /** What only the output record and the factor rules need; dropped at publishing. */
    static final class Pending {
        String ruleId;
        String message;
        List<String> threatObjects;
        List<String> threatObjectTypes;
        String notableId;
        String riskEventId;
        boolean throttled;
        String destPriority;
        List<String> destCategory;
        String userPriority;
        List<String> userCategory;
        Boolean userWatchlist;
        final List<String> factors = new ArrayList<>();
    }

    private final long time;
    private final String riskObject;
    private final String riskObjectType;
    private final int riskScore;
    private final String source;
    private final List<String> techniques;
    private final List<Tactic> tactics;
    private double added;
    private double multiplier = 1;
    private Pending pending;

    RiskEvent(long time, String riskObject, String riskObjectType, int riskScore, String source,
              List<String> techniques, List<Tactic> tactics, Pending pending) {
        this.time = time;
        this.riskObject = riskObject;
        this.riskObjectType = riskObjectType;
        this.riskScore = riskScore;
        this.source = source;
        this.techniques = techniques;
        this.tactics = tactics;
        this.pending = pending;
    }

    /**
     * A published risk event as a checkpoint kept it (see {@code io.procwatch.state}): what the incident rules read,
     * with its calculated score.
     */
    public static RiskEvent restored(long time, String riskObject, String riskObjectType, int riskScore,
                                     double calculatedRiskScore, String source, List<String> techniques,
                                     List<Tactic> tactics) {
        RiskEvent e = new RiskEvent(time, riskObject, riskObjectType, riskScore, source, List.copyOf(techniques),
                List.copyOf(tactics), null);
        e.added = calculatedRiskScore - riskScore;
        return e;
    }

    /** {@code _time}, epoch ms: the CEP timestamp. */
    public long getTime() {
        return time;
    }

    public String getRiskObject() {
        return riskObject;
    }

    public String getRiskObjectType() {
        return riskObjectType;
    }

    /** The base score from the detection's annotations. */
    public int getRiskScore() {
        return riskScore;
    }

    /** {@code (risk_score + additions) × multipliers} of the factor rules applied. */
    public double getCalculatedRiskScore() {
        return (riskScore + added) * multiplier;
    }

    /** The detection's title. */
    public String getSource() {
        return source;
    }

    /** ATT&amp;CK technique ids of the detection. */
    public List<String> getTechniques() {
        return techniques;
    }

    /** ATT&amp;CK tactics of those techniques. */
    public List<Tactic> getTactics() {
        return tactics;
    }

    /** Whether the record has been written (the incident rules count published risk events only). */
    public boolean isPublished() {
        return pending == null;
    }

    public String getDestPriority() {
        return pending == null ? null : pending.destPriority;
    }

    public List<String> getDestCategory() {
        return pending == null || pending.destCategory == null ? List.of() : pending.destCategory;
    }

    public String getUserPriority() {
        return pending == null ? null : pending.userPriority;
    }

    public List<String> getUserCategory() {
        return pending == null || pending.userCategory == null ? List.of() : pending.userCategory;
    }

    /** {@code true} for a user on the identities' watchlist. */
    public boolean isUserWatchlist() {
        return pending != null && Boolean.TRUE.equals(pending.userWatchlist);
    }

    /** Whether {@code user_category} has a value containing {@code part} (case-insensitive, like ES's regex match). */
    public boolean userCategoryMatches(String part) {
        for (String c : getUserCategory()) {
            if (c.toLowerCase(java.util.Locale.ROOT).contains(part.toLowerCase(java.util.Locale.ROOT))) {
                return true;
            }
        }
        return false;
    }

    /** Called by a risk factor rule: multiplies the score; {@code factor} names the rule in the record. */
    public void multiply(double by, String factor) {
        requirePending("multiply");
        multiplier *= by;
        pending.factors.add(factor + " x" + number(by));
    }

    /** Called by a risk factor rule: adds to the score; {@code factor} names the rule in the record. */
    public void add(double amount, String factor) {
        requirePending("add");
        added += amount;
        pending.factors.add(factor + " +" + number(amount));
    }

    /** The factor rules applied, as {@code "name x1.5"} / {@code "name +5"}, in firing order (empty once published). */
    public List<String> getFactors() {
        return pending == null ? List.of() : List.copyOf(pending.factors);
    }

    private void requirePending(String what) {
        if (pending == null) {
            throw new IllegalStateException("risk factor " + what + " on a published risk event: factor rules must "
                    + "select RiskEvent( published == false )");
        }
    }

    Pending pending() {
        return pending;
    }

    void published() {
        pending = null;
    }

    /** A whole number without its ".0"; otherwise as is. */
    static Object number(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? (Object) (long) d : (Object) d;
    }

    @Override
    public String toString() {
        return "RiskEvent[" + source + " " + riskObjectType + ":" + riskObject + " " + getCalculatedRiskScore() + " @" + time + "]";
    }
}
