package io.procwatch.sigma;

import io.procwatch.detect.RuleSet;
import io.procwatch.detect.RuleSetGlobal;
import io.procwatch.normalize.ProcessEvent;

import java.util.List;

/**
 * What converted Sigma rules share within one rule set, reached from DRL through the global {@code sigma}
 * ({@code global io.procwatch.sigma.SigmaRuntime sigma;}): the {@link SigmaPrefilter} that picks the candidate
 * rules of an event, and the bounded regular-expression engine ({@link SigmaRegexes}) behind {@code sigma.re(…)}.
 * One per {@link RuleSet} (made by {@link Provider} on first use), so two engines with different rules share
 * nothing, and a reload starts with fresh caches.
 */
public final class SigmaRuntime {

    /** The DRL global name. */
    public static final String GLOBAL = "sigma";

    private final SigmaRegexes regexes = new SigmaRegexes();
    private final SigmaPrefilter prefilter;

    SigmaRuntime(RuleSet rules) {
        this.prefilter = new SigmaPrefilter(rules.kieBase(), regexes);
    }

    /** The Sigma runtime of a rule set, or null when its rules declare no {@code sigma} global. */
    public static SigmaRuntime of(RuleSet rules) {
        return (SigmaRuntime) rules.global(GLOBAL);
    }

    public SigmaPrefilter prefilter() {
        return prefilter;
    }

    /** The candidate rules for an event (see {@link SigmaPrefilter#candidates}); called by the prefilter rule. */
    public List<SigmaCandidate> candidates(ProcessEvent e) {
        return prefilter.candidates(e);
    }

    /**
     * Sigma's {@code re} modifier as converted filters call it (detections call {@link SigmaCandidate#re}): {@code regex} with flags ({@code i}, {@code m},
     * {@code s}) found in {@code value}, bounded (see {@link SigmaRegexes}); {@code rule} is the id disabled if
     * the pattern exceeds its budget.
     */
    public boolean re(String rule, String value, String regex, String flags) {
        return regexes.find(rule, value, regex, flags);
    }

    public SigmaRegexes regexes() {
        return regexes;
    }

    /** Registers {@link SigmaRuntime} as the {@code sigma} global of every rule set that declares it. */
    public static final class Provider implements RuleSetGlobal {
        @Override
        public String name() {
            return GLOBAL;
        }

        @Override
        public Object create(RuleSet rules) {
            return new SigmaRuntime(rules);
        }
    }
}
