package io.procwatch.sigma;

import io.procwatch.normalize.ProcessEvent;
import org.kie.api.definition.type.ClassReactive;

/**
 * "Drools, evaluate this Sigma rule on this event": inserted by the prefilter rule for the few rules whose
 * literal needles occur in the event (and for the rules without a guard), so each converted rule is reached
 * through a hashed {@code rule == "<id>"} alpha test instead of evaluating every rule on every event. The rule's
 * own constraints follow in the same pattern and decide; they read the event through {@link #lc}, {@link #get},
 * {@link #has} as a hand-written rule reads a {@code ProcessEvent}. Deleted once the rules have had their turn.
 */
@ClassReactive   // never modified: no property masks to compute over its constraints
public final class SigmaCandidate {

    private final String rule;
    private final ProcessEvent event;
    private final SigmaRegexes regexes;

    /** A candidate whose rule uses no regular expression, or for tools (its {@link #re} tests are false). */
    public SigmaCandidate(String rule, ProcessEvent event) {
        this(rule, event, null);
    }

    /** A candidate whose {@link #re} tests run on {@code regexes}, its rule set's bounded regex engine. */
    public SigmaCandidate(String rule, ProcessEvent event, SigmaRegexes regexes) {
        this.rule = rule;
        this.event = event;
        this.regexes = regexes;
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

    public int getEventId() {
        return event.getEventId();
    }

    /** The event's field lower-cased, or null when absent ({@link ProcessEvent#lc}). */
    public String lc(String field) {
        return event.lc(field);
    }

    /** The event's field as read, or null when absent. */
    public String get(String field) {
        return event.get(field);
    }

    /** True when the event carries the field. */
    public boolean has(String field) {
        return event.has(field);
    }

    /**
     * Sigma's {@code re}: {@code regex} with flags ({@code i}, {@code m}, {@code s}) found in the field, bounded
     * (see {@link SigmaRegexes}: a rule whose pattern exceeds its budget is disabled and counted).
     */
    public boolean re(String field, String regex, String flags) {
        return regexes != null && regexes.find(rule, event.get(field), regex, flags);
    }

    @Override
    public String toString() {
        return "SigmaCandidate[" + rule + "]";
    }
}
