package io.procwatch.engine;

import io.procwatch.detect.RuleSet;
import io.procwatch.detect.RuleSetGlobal;
import io.procwatch.normalize.ProcessEvent;
import com.fasterxml.jackson.databind.JsonNode;
import io.procwatch.normalize.FieldTable;
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
     * The name under which this family's state is kept in a {@link io.procwatch.state.DetectionState}
     * ({@code extensions}), or null when it keeps none.
     */
    default String stateName() {
        return null;
    }

    /**
     * This family's state in {@code session} as JSON, for a checkpoint (null: nothing to keep). Called on the
     * session thread; must not change the session.
     */
    default JsonNode capture(KieSession session) {
        return null;
    }

    /**
     * Loads a state {@link #capture}d by this family, perhaps under other rules, into a fresh {@code session}
     * (after time and watermark were restored): what the rules no longer define is dropped. Events in the state
     * are numbered by {@code fields}, the restoring engine's field table.
     */
    default void restore(KieSession session, JsonNode state, FieldTable fields) {
    }

    /** The extensions among the globals of {@code rules}, in provider order. */
    static List<SessionExtension> forRules(RuleSet rules) {
        return rules.globalsOf(SessionExtension.class);
    }
}
