package io.procwatch.state;

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
 * <p>Not kept: events still in working memory (each was already evaluated) and Sigma correlation windows (a
 * restored session starts its correlations afresh; see docs/serve.md).
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
 */
public record DetectionState(int version, long newest, long clockAt, long watermark, long inserted, long late,
                             Map<String, Long> counters, Map<String, String> signatures, List<GroupState> groups,
                             RiskState risk) {

    /** The format written now (2: with {@link RiskState}; a format 1 state restores without risk state). */
    public static final int VERSION = 2;

    /** The state of a session that has seen nothing. */
    public static DetectionState empty() {
        return new DetectionState(VERSION, Long.MIN_VALUE, 0, Long.MIN_VALUE, 0, 0, Map.of(), Map.of(), List.of(),
                RiskState.empty());
    }
}
