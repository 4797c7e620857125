package io.procwatch.sigma;

import io.procwatch.detect.Match;
import io.procwatch.normalize.ProcessEvent;
import org.kie.api.definition.type.Modifies;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The window of one Sigma correlation for one group: a working-memory fact that the converted correlation's DRL
 * inserts when a group's first match arrives, changes with {@code modify( $w ) { add( $m ) }} for each match, and
 * reads through the properties its condition names ({@code eventCount > 2}, {@code valueAvg > 500.0}, …).
 *
 * <ul>
 * <li>A <b>sliding</b> window (a condition checked on every match: {@code gt}/{@code gte} on a count or a sum, the
 * temporal types) holds the matches of {@code [newest - span, newest]}; when its condition holds the correlation
 * fires and {@link #restart()}s it. It is forgotten once the watermark passes {@link #getExpiresAt()}.</li>
 * <li>A <b>tumbling</b> window (a condition only known when the time is over: {@code lt}, {@code lte},
 * {@code eq}, {@code neq}, averages and percentiles) covers {@code [start, start + span]} from its group's first
 * match; the correlation judges it once the watermark passes {@link #getEnd()}, and deletes it.</li>
 * </ul>
 *
 * <p>{@link #add} and {@link #restart} declare with {@link Modifies} the properties they change, so a
 * {@code modify} re-evaluates only the patterns that read a count; the patterns that pick a window by
 * correlation, group and time are not re-evaluated (that is what keeps a match from being folded twice).
 */
public final class CorrelationWindow {

    private final String correlation;
    private final String type;
    private final CorrelationGroup group;
    private final long span;
    private final boolean sliding;
    private final long start;
    private List<String> fields = List.of();
    private List<String> order = List.of();
    private final List<Entry> entries = new ArrayList<>();
    private long newest = Long.MIN_VALUE;

    /** One folded match: its time, rule and event, and the value(s) the correlation counts, read at fold time. */
    record Entry(long time, String rule, ProcessEvent event, List<String> value, double number) {
    }

    private CorrelationWindow(String correlation, String type, CorrelationGroup group, long span, boolean sliding,
                              long start) {
        this.correlation = correlation;
        this.type = type;
        this.group = group;
        this.span = span;
        this.sliding = sliding;
        this.start = start;
    }

    /** A window checked on every match, holding the matches of the last {@code span} ms. */
    public static CorrelationWindow sliding(String correlation, String type, CorrelationGroup group, long span) {
        return new CorrelationWindow(correlation, type, group, span, true, Long.MIN_VALUE);
    }

    /** A window over {@code [start, start + span]}, judged once it is over. */
    public static CorrelationWindow tumbling(String correlation, String type, CorrelationGroup group, long start,
                                             long span) {
        return new CorrelationWindow(correlation, type, group, span, false, start);
    }

    /** The field(s) whose values the correlation counts or sums ({@code condition.field}). */
    public CorrelationWindow field(String... names) {
        this.fields = List.of(names);
        return this;
    }

    /** The order of the rules of a {@code temporal_ordered} correlation. */
    public CorrelationWindow order(String... rules) {
        this.order = List.of(rules);
        return this;
    }

    /** Folds a match in; a sliding window then drops the matches older than its newest less the timespan. */
    @Modifies({"eventCount", "valueCount", "ruleCount", "orderedRuleCount", "numberCount", "valueSum", "valueAvg",
            "rarestShare", "commonestShare", "expiresAt", "lastEvent", "eventAtEnd"})
    public void add(Match m) {
        add(m.getTime(), m.getRuleId(), m.getEvent());
    }

    void add(long time, String rule, ProcessEvent event) {
        entries.add(new Entry(time, rule, event, valueOf(event), numberOf(event)));
        newest = Math.max(newest, time);
        if (sliding) {
            // A late match older than the newest is kept and only ages out with the window.
            entries.removeIf(x -> x.time() < newest - span);
        }
    }

    /** After the correlation fired on a sliding window: it starts afresh. */
    @Modifies({"eventCount", "valueCount", "ruleCount", "orderedRuleCount", "numberCount", "valueSum", "valueAvg",
            "rarestShare", "commonestShare", "expiresAt", "lastEvent", "eventAtEnd"})
    public void restart() {
        entries.clear();
    }

    public String getCorrelation() {
        return correlation;
    }

    /** The correlation type ({@code event_count}, {@code value_count}, {@code value_sum}, …). */
    public String getType() {
        return type;
    }

    public CorrelationGroup getGroup() {
        return group;
    }

    /** The timespan, ms. */
    public long getSpan() {
        return span;
    }

    public boolean isSliding() {
        return sliding;
    }

    /** Epoch ms of a tumbling window's first match ({@code Long.MIN_VALUE} for a sliding window). */
    public long getStart() {
        return start;
    }

    /** Epoch ms, inclusive: start plus the timespan ({@code Long.MAX_VALUE} for a sliding window). */
    public long getEnd() {
        return sliding ? Long.MAX_VALUE : start + span;
    }

    /** When nothing in the window can count any more: newest match plus the timespan (tumbling: the end). */
    public long getExpiresAt() {
        return sliding ? (newest == Long.MIN_VALUE ? Long.MIN_VALUE : newest + span) : getEnd();
    }

    /** Distinct events: one event that two of the named rules matched counts once. */
    public long getEventCount() {
        Set<ProcessEvent> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        entries.forEach(x -> seen.add(x.event()));
        return seen.size();
    }

    /** Distinct values of the counted field(s), compared case-insensitively; an event lacking one counts none. */
    public long getValueCount() {
        Set<List<String>> seen = new HashSet<>();
        entries.forEach(x -> {
            if (x.value() != null) {
                seen.add(x.value());
            }
        });
        return seen.size();
    }

    /** Distinct rules among the window's matches. */
    public long getRuleCount() {
        Set<String> seen = new HashSet<>();
        entries.forEach(x -> seen.add(x.rule()));
        return seen.size();
    }

    /** How many of the ordered rules occur in their order (greedy leftmost, by match time). */
    public long getOrderedRuleCount() {
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort((a, b) -> Long.compare(a.time(), b.time()));
        int k = 0;
        for (Entry x : sorted) {
            if (k < order.size() && x.rule().equals(order.get(k))) {
                k++;
            }
        }
        return k;
    }

    /** Matches whose event carries a number in the counted field. */
    public long getNumberCount() {
        return entries.stream().filter(x -> !Double.isNaN(x.number())).count();
    }

    /** Sum of the counted field's numbers (events without a number add nothing). */
    public double getValueSum() {
        return entries.stream().mapToDouble(Entry::number).filter(d -> !Double.isNaN(d)).sum();
    }

    /** Mean of the counted field's numbers; NaN (no comparison holds) when there is none. */
    public double getValueAvg() {
        return entries.stream().mapToDouble(Entry::number).filter(d -> !Double.isNaN(d)).average().orElse(Double.NaN);
    }

    /**
     * {@code value_percentile}: the share, in percent, of the window's events that carry its rarest value of the
     * counted field (100 when one value only; NaN when no event carries the field).
     */
    public double getRarestShare() {
        return share(true);
    }

    /** The share, in percent, of the window's events that carry its commonest value of the counted field. */
    public double getCommonestShare() {
        return share(false);
    }

    private double share(boolean rarest) {
        Map<List<String>, Integer> n = new HashMap<>();
        int all = 0;
        for (Entry x : entries) {
            if (x.value() != null) {
                n.merge(x.value(), 1, Integer::sum);
                all++;
            }
        }
        if (all == 0) {
            return Double.NaN;
        }
        int pick = rarest ? Collections.min(n.values()) : Collections.max(n.values());
        return 100.0 * pick / all;
    }

    /** The event of the match folded in last: a sliding correlation fires on it. */
    public ProcessEvent getLastEvent() {
        return entries.isEmpty() ? null : entries.get(entries.size() - 1).event();
    }

    /**
     * The window's latest event re-timed to the window's end: a tumbling correlation fires on it, since that is
     * when its condition became certain (and that time decides the notable window).
     */
    public ProcessEvent getEventAtEnd() {
        if (entries.isEmpty()) {
            return null;
        }
        Entry last = entries.get(0);
        for (Entry x : entries) {
            if (x.time() >= last.time()) {
                last = x;
            }
        }
        ProcessEvent e = last.event();
        return e.withTime(getEnd());
    }

    List<String> fields() {
        return fields;
    }

    List<String> order() {
        return order;
    }

    List<Entry> entries() {
        return entries;
    }

    /** The counted value: the fields' values lower-cased (Sigma compares values case-insensitively), or null. */
    private List<String> valueOf(ProcessEvent e) {
        if (fields.isEmpty()) {
            return null;
        }
        List<String> v = new ArrayList<>(fields.size());
        for (String f : fields) {
            String s = e.get(f);
            if (s == null) {
                return null;   // several fields are linked by AND: all must be there
            }
            v.add(s.toLowerCase(Locale.ROOT));
        }
        return List.copyOf(v);
    }

    /** The first counted field as a number (value_sum, value_avg), or NaN. */
    private double numberOf(ProcessEvent e) {
        if (fields.isEmpty()) {
            return Double.NaN;
        }
        String s = e.get(fields.get(0));
        if (s == null) {
            return Double.NaN;
        }
        try {
            double d = Double.parseDouble(s.strip());
            return Double.isFinite(d) ? d : Double.NaN;
        } catch (NumberFormatException notANumber) {
            return Double.NaN;
        }
    }

    @Override
    public String toString() {
        return "CorrelationWindow[" + correlation + " " + group.values() + (sliding ? " sliding" : " " + start + ".." + getEnd())
                + ", " + entries.size() + " matches]";
    }
}
