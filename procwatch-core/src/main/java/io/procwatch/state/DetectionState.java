package io.procwatch.state;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;
import java.util.Map;

/**
 * What procwatch keeps of a detection session to continue it elsewhere or later: the clock, the watermark, the
 * open notable groups (aggregates, not raw events) and the counters. Captured by
 * {@code ProcwatchEngine.checkpoint()} and loaded by
 * {@code ProcwatchEngine.Builder.restore} through the same carry-over as a rule
 * reload. Drools' own session marshalling is not published for Drools 10.2, and would hold every event in working
 * memory; this is procwatch's own state, small and stable across rule changes.
 *
 * <p>Not kept: events still in working memory (each was already evaluated). What a rule family keeps beyond
 * Drools' own facts (the open Sigma correlation windows) is in {@code extensions}, each family's part as JSON
 * under its name ({@link io.procwatch.engine.SessionExtension#stateName()}).
 *
 * @param version    format version ({@link #VERSION})
 * @param newest     the newest event time seen, epoch ms ({@code Long.MIN_VALUE} before any)
 * @param clockAt    where the Drools pseudo clock stood, epoch ms
 * @param watermark  the time up to which windows are closed, epoch ms
 * @param inserted   process events inserted into the session
 * @param late       of those, events more than the allowance behind the clock
 * @param counters   the engine's counters by name ({@code received}, {@code processed}, {@code rejected},
 *                   {@code other}, {@code notables}) and notables per detection as {@code notables:<id>}
 * @param signatures per detection id, its metadata signature under the rules that captured the state: a group of a
 *                   detection whose signature differs in the restoring rules is emitted at once, as on a reload
 * @param groups     the open notable groups
 * @param risk       the risk rules' windows and marks ({@link RiskState}); null in a state of format 1
 * @param extensions per rule family (its {@code SessionExtension} state name), its state as JSON; null in a
 *                   state of format 1 or 2 (restored without: the Sigma correlations start afresh)
 */
public record DetectionState(int version, long newest, long clockAt, long watermark, long inserted, long late,
                             Map<String, Long> counters, Map<String, String> signatures, List<GroupState> groups,
                             RiskState risk, Map<String, JsonNode> extensions) {

    /**
     * The format written now (3: with {@code extensions}; 2: with {@link RiskState}; older formats restore
     * without what they lack).
     */
    public static final int VERSION = 3;

    /** A state without rule-family state ({@code extensions} empty). */
    public DetectionState(int version, long newest, long clockAt, long watermark, long inserted, long late,
                          Map<String, Long> counters, Map<String, String> signatures, List<GroupState> groups,
                          RiskState risk) {
        this(version, newest, clockAt, watermark, inserted, late, counters, signatures, groups, risk, Map.of());
    }

    /** The state of a session that has seen nothing. */
    public static DetectionState empty() {
        return new DetectionState(VERSION, Long.MIN_VALUE, 0, Long.MIN_VALUE, 0, 0, Map.of(), Map.of(), List.of(),
                RiskState.empty(), Map.of());
    }
}
