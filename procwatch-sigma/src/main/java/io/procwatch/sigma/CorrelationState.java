package io.procwatch.sigma;

import io.procwatch.normalize.ProcessEvent;
import io.procwatch.normalize.FieldTable;
import io.procwatch.state.EventState;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The open Sigma correlation windows ({@link CorrelationWindow} facts) of a session as kept in a
 * {@link io.procwatch.state.DetectionState} (its {@code extensions}, under {@link SigmaRuntime#STATE_NAME}), so
 * that a restart from {@code serve --state-dir} or a Kafka partition moving to another instance continues a
 * half-filled correlation instead of starting it afresh. Each window carries its correlation's definition
 * ({@code @sigmaCorrelationSpec}) so that a restore under changed rules drops what no longer means the same.
 *
 * @param windows the windows, by correlation and start
 */
public record CorrelationState(List<Window> windows) {

    /**
     * One window: its correlation, definition, group, time, what it counts, and its matches. An event matched by
     * two of the named rules is kept once ({@code events}) and referred to by both matches, so that
     * {@code event_count} still counts it once after a restore.
     */
    public record Window(String correlation, String spec, String type, List<String> group, boolean sliding, long start,
                         long span, List<String> fields, List<String> order, List<EventState> events,
                         List<Match> matches) {
    }

    /** One folded match: time, rule and the index of its event in {@link Window#events()}. */
    public record Match(long time, String rule, int event) {
    }

    /** The state of {@code windows}; {@code specs}: the definition of each correlation by id. */
    static CorrelationState of(Collection<CorrelationWindow> windows, Map<String, String> specs) {
        List<CorrelationWindow> sorted = new ArrayList<>(windows);
        sorted.sort(Comparator.comparing(CorrelationWindow::getCorrelation).thenComparingLong(CorrelationWindow::getStart)
                .thenComparing(w -> String.valueOf(w.getGroup().values())));
        List<Window> out = new ArrayList<>();
        for (CorrelationWindow w : sorted) {
            Map<ProcessEvent, Integer> index = new IdentityHashMap<>();
            List<EventState> events = new ArrayList<>();
            List<Match> matches = new ArrayList<>();
            for (CorrelationWindow.Entry e : w.entries()) {
                Integer i = index.get(e.event());
                if (i == null) {
                    i = events.size();
                    index.put(e.event(), i);
                    events.add(EventState.of(e.event()));
                }
                matches.add(new Match(e.time(), e.rule(), i));
            }
            out.add(new Window(w.getCorrelation(), specs.get(w.getCorrelation()), w.getType(), w.getGroup().values(),
                    w.isSliding(), w.getStart(), w.getSpan(), w.fields(), w.order(), events, matches));
        }
        return new CorrelationState(out);
    }

    /**
     * The windows again as facts, those whose correlation has the same definition in {@code specs}; in order. Their
     * events are numbered by {@code fields} (the restoring engine's table).
     */
    List<CorrelationWindow> facts(Map<String, String> specs, FieldTable fields) {
        List<CorrelationWindow> out = new ArrayList<>();
        for (Window s : windows) {
            if (s.spec() == null || !s.spec().equals(specs.get(s.correlation()))) {
                continue;
            }
            CorrelationGroup g = new CorrelationGroup(java.util.Collections.unmodifiableList(new ArrayList<>(s.group())));
            CorrelationWindow w = s.sliding() ? CorrelationWindow.sliding(s.correlation(), s.type(), g, s.span())
                    : CorrelationWindow.tumbling(s.correlation(), s.type(), g, s.start(), s.span());
            w.field(s.fields().toArray(String[]::new)).order(s.order().toArray(String[]::new));
            List<ProcessEvent> events = s.events().stream().map(e -> e.toEvent(fields)).toList();
            for (Match m : s.matches()) {
                w.add(m.time(), m.rule(), events.get(m.event()));
            }
            out.add(w);
        }
        return out;
    }
}
