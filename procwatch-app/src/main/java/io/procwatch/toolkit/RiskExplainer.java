package io.procwatch.toolkit;

import io.procwatch.detect.DetectionRule;
import io.procwatch.detect.RuleSet;
import io.procwatch.engine.DetectionSession;
import io.procwatch.normalize.ProcessEvent;
import io.procwatch.risk.RiskEventRecord;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The risk part of {@code procwatch explain}: runs the event alone through a session of the rules (with their
 * asset and identity lookups), closes its window, and shows each risk event the detection made: base score, the
 * risk factor rules that applied, the calculated score, and the lookup fields the factors read.
 */
public final class RiskExplainer {

    private RiskExplainer() {
    }

    /** The risk section for {@code rule} on {@code event}; says so when the detection made no risk event. */
    public static String explain(RuleSet rules, DetectionRule rule, ProcessEvent event) {
        StringBuilder b = new StringBuilder("\nRisk (the event alone, its window closed; lookups: ")
                .append(rules.lookups()).append(")\n");
        List<RiskEventRecord> mine;
        try (DetectionSession s = new DetectionSession(rules, true, Duration.ZERO)) {
            s.insert(event);
            s.fire();
            s.flush();
            mine = s.drainRiskEvents().stream().filter(r -> rule.id().equals(r.fields().get("rule_id"))).toList();
        }
        if (mine.isEmpty()) {
            return b.append("  no risk event: the detection did not fire, a filter suppressed it, or its risk object fields are empty\n").toString();
        }
        for (RiskEventRecord r : mine) {
            Map<String, Object> f = r.fields();
            b.append("  risk event ").append(f.get("risk_object_type")).append(' ').append(f.get("risk_object"))
                    .append(": risk_score ").append(f.get("risk_score"))
                    .append(" -> calculated_risk_score ").append(f.get("calculated_risk_score")).append('\n');
            List<?> factors = (List<?>) f.get("risk_factors");
            if (factors.isEmpty()) {
                b.append("    no risk factor applied\n");
            }
            for (Object factor : factors) {
                b.append("    factor applied: ").append(factor).append('\n');
            }
            for (String k : List.of("dest_priority", "dest_category", "user_priority", "user_category", "user_watchlist")) {
                if (f.containsKey(k)) {
                    b.append("    ").append(k).append(" = ").append(f.get(k)).append('\n');
                }
            }
            b.append("    tactics ").append(f.get("annotations.mitre_attack.mitre_tactic_id")).append(' ')
                    .append(f.get("annotations.mitre_attack.mitre_tactic")).append('\n');
        }
        return b.toString();
    }
}
