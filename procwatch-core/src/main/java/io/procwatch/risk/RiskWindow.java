package io.procwatch.risk;

import io.procwatch.lookup.AttackTactics.Tactic;

import java.util.ArrayList;
import java.util.List;

/**
 * The published risk events of one risk object in one incident window ({@link RiskActions#window}), oldest first:
 * what the risk incident rules compare with their thresholds. The figures the conditions read (total, count,
 * distinct sources and tactics) are counted on first use; {@link #summary()} gives the whole
 * {@link RiskSummary} an incident reports, the same as the {@code riskSummary} accumulate function over these
 * events.
 */
public final class RiskWindow {

    private final List<RiskEvent> events;
    private double total = Double.NaN;
    private int sourceCount = -1;
    private int tacticCount = -1;

    RiskWindow(List<RiskEvent> events) {
        this.events = events;
    }

    /** Sum of {@code calculated_risk_score}, rounded as {@link RiskSummaryFunction} rounds it. */
    public double getTotal() {
        if (Double.isNaN(total)) {
            double t = 0;
            for (RiskEvent e : events) {
                t += e.getCalculatedRiskScore();
            }
            total = Math.round(t * 1e6) / 1e6;
        }
        return total;
    }

    public long getCount() {
        return events.size();
    }

    /** Distinct sources (detection titles). */
    public int getSourceCount() {
        if (sourceCount < 0) {
            List<String> seen = new ArrayList<>();
            for (RiskEvent e : events) {
                if (!seen.contains(e.getSource())) {
                    seen.add(e.getSource());
                }
            }
            sourceCount = seen.size();
        }
        return sourceCount;
    }

    /** Distinct ATT&amp;CK tactic ids. */
    public int getTacticCount() {
        if (tacticCount < 0) {
            List<String> seen = new ArrayList<>();
            for (RiskEvent e : events) {
                for (Tactic t : e.getTactics()) {
                    if (!seen.contains(t.id())) {
                        seen.add(t.id());
                    }
                }
            }
            tacticCount = seen.size();
        }
        return tacticCount;
    }

    /** Everything an incident reports about the window. */
    public RiskSummary summary() {
        RiskSummaryFunction f = new RiskSummaryFunction();
        RiskSummaryFunction.Context c = f.createContext();
        f.init(c);
        for (RiskEvent e : events) {
            f.accumulate(c, e);
        }
        return (RiskSummary) f.getResult(c);
    }
}
