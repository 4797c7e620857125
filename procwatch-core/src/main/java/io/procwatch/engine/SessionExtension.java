package io.procwatch.engine;

import io.procwatch.detect.RuleSet;
import io.procwatch.detect.RuleSetGlobal;
import io.procwatch.normalize.ProcessEvent;
import org.kie.api.runtime.KieSession;

import java.util.List;
import java.util.Map;

/**
 * What a family of rules adds to a {@link DetectionSession} beyond Drools' own facts: work on an event ahead of
 * the session (an index search that narrows which rules Drools considers) and state to carry to the session of a
 * reloaded rule set. The core knows no rule family by name: a rule set's global made by a {@link RuleSetGlobal}
 * provider (found with {@link java.util.ServiceLoader}; the Sigma module registers one) takes part by implementing
 * this interface, so the core depends on none.
 */
public interface SessionExtension {

    /**
     * Work on an event before its {@link DetectionSession#insert}, on the reading or submitting thread: must be
     * thread-safe and must not touch a session.
     */
    default void prepare(ProcessEvent event) {
    }

    /**
     * Carries this family's state from the session of the old rules ({@code from}) into the session of the new
     * ones ({@code to}) on a reload, after time and watermark have been handed over.
     */
    default void handOver(KieSession from, KieSession to) {
    }

    /**
     * Counters this family keeps for its rule set (since the rules were loaded), by a snake_case name that
     * {@code scan --stats} and {@code serve}'s {@code /metrics} print as they are ({@code procwatch_<name>_total});
     * empty by default.
     */
    default Map<String, Long> counters() {
        return Map.of();
    }

    /** The {@link #counters} of every extension of {@code rules}, in provider order. */
    static Map<String, Long> countersOf(RuleSet rules) {
        Map<String, Long> all = new java.util.LinkedHashMap<>();
        for (SessionExtension x : forRules(rules)) {
            all.putAll(x.counters());
        }
        return all;
    }

    /** The extensions among the globals of {@code rules}, in provider order. */
    static List<SessionExtension> forRules(RuleSet rules) {
        return rules.globalsOf(SessionExtension.class);
    }
}
