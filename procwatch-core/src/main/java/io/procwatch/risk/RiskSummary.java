package io.procwatch.risk;

import java.util.List;

/**
 * What the {@code riskSummary} accumulate function reports over a risk object's risk events in a window: the
 * incident rules compare its totals and distinct counts with their thresholds.
 *
 * @param total      sum of {@code calculated_risk_score}
 * @param count      number of risk events
 * @param sources    distinct sources (detection titles), sorted
 * @param techniques distinct ATT&amp;CK technique ids, sorted
 * @param tacticIds  distinct tactic ids, sorted
 * @param tactics    distinct tactic short names, in the order of {@code tacticIds}
 * @param firstTime  oldest risk event time, ms
 * @param lastTime   newest risk event time, ms
 */
public record RiskSummary(double total, long count, List<String> sources, List<String> techniques,
                          List<String> tacticIds, List<String> tactics, long firstTime, long lastTime) {

    public double getTotal() {
        return total;
    }

    public long getCount() {
        return count;
    }

    public int getSourceCount() {
        return sources.size();
    }

    public int getTacticCount() {
        return tacticIds.size();
    }
}
