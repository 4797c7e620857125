package io.procwatch.engine;

import io.procwatch.detect.RuleSet;
import io.procwatch.normalize.ProcessEvent;
import org.kie.api.runtime.KieSession;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * What a family of rules adds to a {@link DetectionSession} beyond Drools' own facts: work on an event ahead of
 * the session (an index search that narrows which rules Drools considers) and state to carry to the session of a
 * reloaded rule set. The core knows no rule family by name: each registers a {@link Provider} with
 * {@link ServiceLoader} (the Sigma module does, in {@code META-INF/services}), so the core depends on none.
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

    /** Finds the extension a compiled rule set needs. */
    interface Provider {
        /** The extension for {@code rules}, or empty when they hold none of this family's rules. */
        Optional<SessionExtension> forRules(RuleSet rules);
    }

    /** The extensions that the registered providers give for {@code rules}, in class-path order. */
    static List<SessionExtension> forRules(RuleSet rules) {
        List<SessionExtension> out = new ArrayList<>();
        for (Provider p : ServiceLoader.load(Provider.class, SessionExtension.class.getClassLoader())) {
            p.forRules(rules).ifPresent(out::add);
        }
        return List.copyOf(out);
    }
}
