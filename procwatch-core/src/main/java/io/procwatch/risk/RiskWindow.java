package io.procwatch.risk;

import io.procwatch.lookup.AttackTactics.Tactic;

import java.util.ArrayList;
import java.util.List;

/**
 * The published risk events of one risk object in one incident window ({@link RiskActions#window}): what the risk
 * incident rules compare with their thresholds. The figures the conditions read (total, count, distinct sources and
 * tactics) are counted from the index when first asked, during the rule's evaluation; {@link #summary()} gives the
 * whole {@link RiskSummary} an incident reports (the same as the {@code riskSummary} accumulate function over these
 * events), reading the index again when the rule fires: nothing publishes or expires a risk event in between (risk
 * events are published in a later phase, and expire only when the clock moves, between firings).
 */
public final class RiskWindow {

    private final RiskLedger ledger;
    private final String riskObject;
    private final String riskObjectType;
    private final long after;
    private final long upTo;
    private double total = Double.NaN;
    private long count = -1;
    private int sourceCount = -1;
    private int tacticCount = -1;

    RiskWindow(RiskLedger ledger, String riskObject, String riskObjectType, long after, long upTo) {
        this.ledger = ledger;
        this.riskObject = riskObject;
        this.riskObjectType = riskObjectType;
        this.after = after;
        this.upTo = upTo;
    }

    /** Sum of {@code calculated_risk_score}, rounded as {@link RiskSummaryFunction} rounds it. */
    public double getTotal() {
        if (Double.isNaN(total)) {
            double[] t = {0};
            count = ledger.window(riskObject, riskObjectType, after, upTo, e -> t[0] += e.getCalculatedRiskScore());
            total = Math.round(t[0] * 1e6) / 1e6;
        }
        return total;
    }

    public long getCount() {
        if (count < 0) {
            getTotal();
        }
        return count;
    }

    /** Distinct sources (detection titles). */
    public int getSourceCount() {
        if (sourceCount < 0) {
            List<String> seen = new ArrayList<>();
            ledger.window(riskObject, riskObjectType, after, upTo, e -> {
                if (!seen.contains(e.getSource())) {
                    seen.add(e.getSource());
                }
            });
            sourceCount = seen.size();
        }
        return sourceCount;
    }

    /** Distinct ATT&amp;CK tactic ids. */
    public int getTacticCount() {
        if (tacticCount < 0) {
            // The risk events of one detection share one tactic list: each list is looked at once.
            List<List<Tactic>> lists = new ArrayList<>();
            List<String> seen = new ArrayList<>();
            ledger.window(riskObject, riskObjectType, after, upTo, e -> {
                List<Tactic> ts = e.getTactics();
                if (containsSame(lists, ts)) {
                    return;
                }
                lists.add(ts);
                for (Tactic t : ts) {
                    if (!seen.contains(t.id())) {
                        seen.add(t.id());
                    }
                }
            });
            tacticCount = seen.size();
        }
        return tacticCount;
    }

    private static boolean containsSame(List<?> list, Object o) {
        for (Object x : list) {
            if (x == o) {
                return true;
            }
        }
        return false;
    }

    /** Everything an incident reports about the window. */
    public RiskSummary summary() {
        RiskSummaryFunction f = new RiskSummaryFunction();
        RiskSummaryFunction.Context c = f.createContext();
        f.init(c);
        ledger.window(riskObject, riskObjectType, after, upTo, e -> f.accumulate(c, e));
        return (RiskSummary) f.getResult(c);
    }
}
