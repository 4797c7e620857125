package io.procwatch.sigma;

import org.kie.api.definition.type.ClassReactive;

import java.util.List;

/**
 * The {@link SigmaCandidate}s the prefilter rule inserted for one event, as one fact: the cleanup rule deletes
 * them all in one firing once the detections ran, instead of one activation per candidate. No rule condition
 * reads it; Drools still dispatches each candidate to its rule by the hashed {@code rule == "<id>"} test.
 */
@ClassReactive   // never modified
public final class SigmaCandidates {

    private final List<SigmaCandidate> candidates;

    public SigmaCandidates(List<SigmaCandidate> candidates) {
        this.candidates = List.copyOf(candidates);
    }

    /** The candidates of the event, in the order they were inserted. */
    public List<SigmaCandidate> getCandidates() {
        return candidates;
    }

    @Override
    public String toString() {
        return "SigmaCandidates" + candidates;
    }
}
