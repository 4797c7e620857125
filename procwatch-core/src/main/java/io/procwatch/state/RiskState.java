package io.procwatch.state;

import io.procwatch.lookup.AttackTactics.Tactic;
import io.procwatch.risk.IncidentMark;
import io.procwatch.risk.RiskEvent;
import io.procwatch.risk.ThrottleMark;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The risk rules' state in a {@link DetectionState}: the published risk events still inside an incident window,
 * the incident marks (when an object last raised each incident) and the throttle marks. Without it a restored
 * session would sum risk afresh and alert again on results it had throttled.
 *
 * @param events    published risk events, oldest first
 * @param incidents incident marks
 * @param throttles throttle marks
 */
public record RiskState(List<Event> events, List<Incident> incidents, List<Throttle> throttles) {

    /** One published risk event: what the incident rules read. */
    public record Event(long time, String riskObject, String riskObjectType, int riskScore, double calculatedRiskScore,
                        String source, List<String> techniques, List<Tactic> tactics) {
    }

    /** One incident mark. */
    public record Incident(String rule, String riskObject, String riskObjectType, long firedAt) {
    }

    /** One throttle mark. */
    public record Throttle(String ruleId, String key, long expiresAt, String notableId) {
    }

    /** No risk state (a session of rules without risk rules, or a state captured before risk existed). */
    public static RiskState empty() {
        return new RiskState(List.of(), List.of(), List.of());
    }

    /** The risk facts among {@code facts}, as state (unpublished risk events are not kept: their step is not over). */
    public static RiskState of(Iterable<?> facts) {
        List<Event> events = new ArrayList<>();
        List<Incident> incidents = new ArrayList<>();
        List<Throttle> throttles = new ArrayList<>();
        for (Object o : facts) {
            if (o instanceof RiskEvent e && e.isPublished()) {
                events.add(new Event(e.getTime(), e.getRiskObject(), e.getRiskObjectType(), e.getRiskScore(),
                        e.getCalculatedRiskScore(), e.getSource(), e.getTechniques(), e.getTactics()));
            } else if (o instanceof IncidentMark m) {
                incidents.add(new Incident(m.getRule(), m.getRiskObject(), m.getRiskObjectType(), m.getFiredAt()));
            } else if (o instanceof ThrottleMark m) {
                throttles.add(new Throttle(m.getRuleId(), m.getKey(), m.getExpiresAt(), m.getNotableId()));
            }
        }
        // Working memory has no order; the state has one, so equal sessions give equal states.
        Comparator<String> text = Comparator.nullsFirst(Comparator.naturalOrder());
        events.sort(Comparator.comparingLong(Event::time).thenComparing(Event::riskObject, text)
                .thenComparing(Event::source, text));
        incidents.sort(Comparator.comparing(Incident::rule, text).thenComparing(Incident::riskObject, text));
        throttles.sort(Comparator.comparing(Throttle::ruleId, text).thenComparing(Throttle::key, text));
        return new RiskState(events, incidents, throttles);
    }

    /** The facts to insert into a session to continue from this state. */
    public List<Object> facts() {
        List<Object> out = new ArrayList<>();
        for (Event e : events) {
            out.add(RiskEvent.restored(e.time(), e.riskObject(), e.riskObjectType(), e.riskScore(),
                    e.calculatedRiskScore(), e.source(), e.techniques(), e.tactics()));
        }
        for (Incident i : incidents) {
            IncidentMark m = new IncidentMark(i.rule(), i.riskObject(), i.riskObjectType());
            if (i.firedAt() != Long.MIN_VALUE) {
                m.fired(i.firedAt());
            }
            out.add(m);
        }
        for (Throttle t : throttles) {
            out.add(new ThrottleMark(t.ruleId(), t.key(), t.expiresAt(), t.notableId()));
        }
        return out;
    }
}
