package io.procwatch.durable;

import io.procwatch.risk.RiskEventListener;

/**
 * A risk event output ({@code --risk-out}) that can tell which risk event it already held when the process started:
 * a file its last line. After a kill, that risk event may have been written without its id being recorded; the
 * durable engine then records it instead of writing it again.
 */
public interface DurableRiskOutput extends RiskEventListener {

    /** Whether the output held the risk event with this {@code risk_event_id} when the process started. */
    boolean heldAtStart(String riskEventId);
}
