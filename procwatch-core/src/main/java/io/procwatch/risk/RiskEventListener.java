package io.procwatch.risk;

/**
 * Receives each risk event as it is published (when its detection result's window closes, before that result's
 * notable). Called on the thread that drives the session, one at a time.
 */
@FunctionalInterface
public interface RiskEventListener {

    void onRiskEvent(RiskEventRecord riskEvent);
}
