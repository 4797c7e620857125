package io.procwatch.detect;

import io.procwatch.normalize.ProcessEvent;
import io.procwatch.time.RunWindow;
import org.kie.api.runtime.rule.RuleContext;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The DRL global {@code detections}: what a detection's right-hand side calls to turn its event into a
 * {@link Match} ({@code insert( detections.match( kcontext, $e ) );}), and where matches are counted.
 * One per session; used on the session thread only.
 */
public final class Detections {

    private final RuleCatalog catalog;
    private final Map<String, long[]> matchCounts = new TreeMap<>();
    private final Map<String, long[]> suppressedCounts = new TreeMap<>();
    private final Map<String, long[]> unwindowedCounts = new TreeMap<>();
    private long watermark = Long.MIN_VALUE;
    /** Told every match that survives the filters ({@link #publishMatches}); null: nobody listens. */
    private java.util.function.Consumer<Match> matchListener;
    private final java.util.List<Match> unpublished = new java.util.ArrayList<>();

    public Detections(RuleCatalog catalog) {
        this.catalog = catalog;
    }

    /**
     * Builds the match of the firing detection on {@code event}: its windows (every run of the detection's schedule
     * that covers the event time) and group values come from the detection's annotations.
     *
     * @throws IllegalStateException when called from a rule that has no {@code @id} (not a detection)
     */
    public Match match(RuleContext kcontext, ProcessEvent event) {
        String ruleName = kcontext.getRule().getName();
        DetectionRule rule = catalog.byRuleName(ruleName);
        if (rule == null) {
            throw new IllegalStateException("rule '" + ruleName + "' calls detections.match but has no @id annotation");
        }
        matchCounts.computeIfAbsent(rule.id(), k -> new long[1])[0]++;
        List<RunWindow> windows = rule.window().windowsCovering(event.getTime());
        if (windows.isEmpty()) {
            unwindowedCounts.computeIfAbsent(rule.id(), k -> new long[1])[0]++;
            return published(new Match(rule, event, List.of()));
        }
        List<String> values = groupValues(rule, event);
        List<GroupKey> keys = new ArrayList<>(windows.size());
        for (RunWindow w : windows) {
            keys.add(new GroupKey(rule.id(), w.start(), w.end(), w.end() <= watermark, values));
        }
        return published(new Match(rule, event, keys));
    }

    /** Keeps {@code m} for the match listener, if there is one (see {@link #publishMatches}). */
    private Match published(Match m) {
        if (matchListener != null) {
            unpublished.add(m);
        }
        return m;
    }

    /**
     * Has {@code listener} told each match that the filter rules did not suppress (a timeline), at the end of each
     * rule firing of the session ({@link #publishMatches}); null stops it.
     */
    public void setMatchListener(java.util.function.Consumer<Match> listener) {
        this.matchListener = listener;
    }

    /**
     * Called by the session once the rules have fired: the matches made since the last call have met every filter
     * rule, so the listener is told the ones not suppressed, in the order they were made.
     */
    public void publishMatches() {
        if (unpublished.isEmpty()) {
            return;
        }
        for (Match m : unpublished) {
            if (m.getSuppressedBy() == null) {
                matchListener.accept(m);
            }
        }
        unpublished.clear();
    }

    /** Group-by values with the detection's fillnull applied (a missing or empty field takes the fill value). */
    static List<String> groupValues(DetectionRule rule, ProcessEvent event) {
        String[] values = new String[rule.groupBy().size()];
        for (int i = 0; i < values.length; i++) {
            String v = event.get(rule.groupBy().get(i));
            if (rule.fillNull() != null && (v == null || v.isEmpty())) {
                v = rule.fillNull();
            }
            values[i] = v;
        }
        return Arrays.asList(values);
    }

    /** Called by the aggregation rules for a match a filter suppressed. */
    public void suppressed(Match m) {
        suppressedCounts.computeIfAbsent(m.getRuleId(), k -> new long[1])[0]++;
    }

    /**
     * Set by the engine once the rules have reacted to a watermark move: matches made from then on whose window
     * ends at or before it are late. Matches raised during the move itself are judged against the previous
     * watermark, so they still join the windows that move closes.
     */
    public void setWatermark(long watermark) {
        this.watermark = watermark;
    }

    /** Matches per detection id (before filters), in id order. */
    public Map<String, Long> matchCounts() {
        return counts(matchCounts);
    }

    /**
     * Matches that no run of their detection's schedule covers (its windows leave gaps), per detection id: counted
     * as matches, in no notable.
     */
    public Map<String, Long> unwindowedCounts() {
        return counts(unwindowedCounts);
    }

    /** Matches suppressed by filter rules, per detection id. */
    public Map<String, Long> suppressedCounts() {
        return counts(suppressedCounts);
    }

    public RuleCatalog catalog() {
        return catalog;
    }

    private Map<String, Long> counts(Map<String, long[]> m) {
        Map<String, Long> out = new TreeMap<>();
        for (DetectionRule d : catalog.detections()) {
            out.put(d.id(), 0L);
        }
        m.forEach((k, v) -> out.put(k, v[0]));
        return out;
    }

}
