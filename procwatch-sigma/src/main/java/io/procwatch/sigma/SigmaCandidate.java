package io.procwatch.sigma;

import io.procwatch.normalize.ProcessEvent;

/**
 * "This Sigma rule may match this event": inserted by the prefilter rule for the few rules whose literal
 * needles occur in the event, so each converted rule is reached through a hashed {@code rule == "<id>"}
 * alpha test instead of evaluating every rule on every event. Deleted once the rules have had their turn.
 */
public final class SigmaCandidate {

    private final String rule;
    private final ProcessEvent event;

    public SigmaCandidate(String rule, ProcessEvent event) {
        this.rule = rule;
        this.event = event;
    }

    /** The Sigma rule id. */
    public String getRule() {
        return rule;
    }

    public ProcessEvent getEvent() {
        return event;
    }

    public long getTime() {
        return event.getTime();
    }

    @Override
    public String toString() {
        return "SigmaCandidate[" + rule + "]";
    }
}
