package io.procwatch.risk;

import io.procwatch.aggregate.NotableCollector;
import io.procwatch.detect.IncidentRule;
import io.procwatch.detect.RuleSet;
import org.kie.api.runtime.KieSession;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** Sets a session up for the risk rules, and carries their state over a rule reload. */
public final class RiskSession {

    /** The risk rules' global: a session's {@link RiskActions}. */
    public static final String GLOBAL = "risk";

    private RiskSession() {
    }

    /**
     * A new session's risk actions, to be set as its global {@value #GLOBAL} ({@link RuleSet#newSession}), when the
     * rules declare that global (every rule set built on {@code rules-drl/}); {@code null} otherwise.
     */
    public static RiskActions actionsFor(RuleSet rules, NotableCollector notables) {
        return rules.declaresGlobal(GLOBAL) ? new RiskActions(rules.catalog(), rules.lookups(), notables) : null;
    }

    /**
     * Gives a new session of {@code rules} (with its {@link #GLOBAL} set) the incident rules as facts, and has its
     * {@link RiskActions} index the published risk events the incident rules read ({@link RiskActions#window}).
     * Called before anything is inserted.
     */
    public static void start(KieSession session, RuleSet rules) {
        if (rules.declaresGlobal(GLOBAL)) {
            if (session.getGlobal(GLOBAL) instanceof RiskActions actions) {
                session.addEventListener(actions.ledger());
            }
            for (IncidentRule r : rules.catalog().incidentRules()) {
                session.insert(r);
            }
        }
    }

    /**
     * Moves the risk state from {@code from} to {@code to} (a fresh session of reloaded rules): the published risk
     * events (the incident windows) and the incident marks always, the throttle marks of the detections
     * {@code unchanged} accepts (by id). Returns how many facts moved.
     */
    public static int handOver(KieSession from, KieSession to, Predicate<String> unchanged) {
        List<Object> moved = new ArrayList<>();
        for (Object o : from.getObjects(o -> o instanceof RiskEvent || o instanceof IncidentMark || o instanceof ThrottleMark)) {
            moved.add(o);
        }
        int n = 0;
        for (Object o : moved) {
            from.delete(from.getFactHandle(o));
            boolean keep = !(o instanceof ThrottleMark m) || unchanged.test(m.getRuleId());
            if (keep && !(o instanceof RiskEvent e && !e.isPublished())) {
                to.insert(o);
                n++;
            }
        }
        return n;
    }
}
