package io.procwatch.risk;

import java.util.Collections;
import java.util.Map;

/**
 * A published risk event as written ({@code --risk-out}, the embedding API's risk callback): its fields in
 * order, {@code _time}, {@code risk_object}, {@code risk_object_type}, {@code risk_score},
 * {@code calculated_risk_score}, {@code risk_message}, {@code threat_object}, {@code threat_object_type},
 * {@code source}, {@code rule_id}, {@code annotations.mitre_attack}, {@code annotations.mitre_attack.mitre_tactic_id},
 * {@code annotations.mitre_attack.mitre_tactic}, {@code notable_id}, {@code risk_event_id}, {@code throttled},
 * {@code risk_factors}, then
 * the asset and identity fields that matched ({@code dest_priority}, {@code dest_category}, {@code user_priority},
 * {@code user_category}, {@code user_watchlist}).
 */
public final class RiskEventRecord {

    private final long time;
    private final Map<String, Object> fields;

    RiskEventRecord(long time, Map<String, Object> fields) {
        this.time = time;
        this.fields = Collections.unmodifiableMap(fields);
    }

    /** The fields, in order. */
    public Map<String, Object> fields() {
        return fields;
    }

    /** {@code risk_event_id}: deterministic, the same in every run, replay or restart (see docs/risk.md). */
    public String id() {
        return (String) fields.get("risk_event_id");
    }

    /** {@code _time}, epoch ms. */
    public long time() {
        return time;
    }

    @Override
    public String toString() {
        return fields.toString();
    }
}
