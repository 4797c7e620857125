package io.procwatch.sigma;

import org.kie.api.definition.type.ClassReactive;
import org.kie.api.runtime.rule.FactHandle;

import java.util.List;

/**
 * The {@link SigmaCandidate}s the prefilter rule inserted for one event, as one fact with their fact handles: the
 * cleanup rule deletes them all in one firing once the detections ran, by handle (no identity lookup per
 * candidate), instead of one activation per candidate. No rule condition reads it; Drools still dispatches each
 * candidate to its rule by the hashed {@code rule == "<id>"} test.
 */
@ClassReactive   // never modified
public final class SigmaCandidates {

    private final List<SigmaCandidate> candidates;
    private final FactHandle[] handles;

    SigmaCandidates(List<SigmaCandidate> candidates, FactHandle[] handles) {
        this.candidates = List.copyOf(candidates);
        this.handles = handles;
    }

    /** The candidates of the event, in the order they were inserted. */
    public List<SigmaCandidate> getCandidates() {
        return candidates;
    }

    FactHandle[] handles() {
        return handles;
    }

    @Override
    public String toString() {
        return "SigmaCandidates" + candidates;
    }
}
