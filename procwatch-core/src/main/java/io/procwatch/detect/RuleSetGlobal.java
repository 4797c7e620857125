package io.procwatch.detect;

import org.kie.api.runtime.KieSession;

/**
 * A per-rule-set object that DRL reaches through a global of {@link #name()}: an index or cache derived from the
 * compiled rules (for instance the Sigma prefilter and its bounded pattern caches). Made once per {@link RuleSet}
 * on first use and set on every session {@link RuleSet#newSession} makes whose rules declare that global, so
 * nothing of the kind needs static state. Providers are found with {@link java.util.ServiceLoader}, so a package
 * above {@code detect} adds its own without {@code detect} depending on it.
 */
public interface RuleSetGlobal {

    /** The global's name in DRL ({@code global <type> <name>;}). */
    String name();

    /** Builds the object for {@code rules}; called once per rule set. */
    Object create(RuleSet rules);

    /** Sets {@code value} on a new session; the default sets the global. */
    default void install(KieSession session, Object value) {
        session.setGlobal(name(), value);
    }
}
