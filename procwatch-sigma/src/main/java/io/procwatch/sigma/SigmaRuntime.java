package io.procwatch.sigma;

import io.procwatch.detect.RuleSet;
import io.procwatch.detect.RuleSetGlobal;
import io.procwatch.engine.SessionExtension;
import io.procwatch.normalize.ProcessEvent;
import org.kie.api.runtime.KieSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What converted Sigma rules share within one rule set, reached from DRL through the global {@code sigma}
 * ({@code global io.procwatch.sigma.SigmaRuntime sigma;}): the {@link SigmaPrefilter} that picks the candidate
 * rules of an event, and the bounded regular-expression engine ({@link SigmaRegexes}) behind {@code sigma.re(…)}.
 * One per {@link RuleSet} (made by {@link Provider} on first use), so two engines with different rules share
 * nothing, and a reload starts with fresh caches. As a {@link SessionExtension} it runs the prefilter's search
 * ahead of the session and carries correlation windows over a reload.
 */
public final class SigmaRuntime implements SessionExtension {

    private static final Logger LOG = LoggerFactory.getLogger(SigmaRuntime.class);

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

    /**
     * The bounded regex engine's counters ({@link SigmaRegexes}): {@code sigma_regex_switched_to_linear} (patterns
     * moved to RE2/J after exceeding the step budget) and {@code sigma_regex_rules_disabled} (rules disabled because
     * a pattern exceeded it and RE2/J cannot run it).
     */
    @Override
    public Map<String, Long> counters() {
        Map<String, Long> m = new java.util.LinkedHashMap<>();
        m.put("sigma_regex_switched_to_linear", regexes.switchedToLinear());
        m.put("sigma_regex_rules_disabled", regexes.budgetExceeded());
        return m;
    }

    @Override
    public void prepare(ProcessEvent event) {
        if (prefilter.ruleCount() > 0) {
            prefilter.prepare(event);
        }
    }

    /**
     * Moves the Sigma correlation windows ({@link SigmaCorrelations.State}: the sliding windows of gt/gte and
     * temporal, and the open {@link SigmaCorrelations.TumblingWindow} facts of lt/lte/eq) of every correlation whose
     * {@code @sigmaCorrelationSpec} is the same in {@code to}'s rules into {@code to}: its later matches count on,
     * and its open windows are judged by the new rules when the watermark passes their end. The windows of a
     * correlation changed or removed are dropped, not judged: they are not over, so their outcome is not known yet
     * (a count below an lt bound now may pass it later), and the new definition starts afresh.
     */
    @Override
    public void handOver(KieSession from, KieSession to) {
        SigmaCorrelations.State fromState = state(from);
        if (fromState == null) {
            return;
        }
        for (Object w : new ArrayList<>(from.getObjects(o -> o instanceof SigmaCorrelations.TumblingWindow))) {
            from.delete(from.getFactHandle(w));
        }
        Map<String, String> before = SigmaCorrelations.specs(from.getKieBase());
        Map<String, String> after = SigmaCorrelations.specs(to.getKieBase());
        Set<String> carried = new TreeSet<>(before.keySet());
        carried.removeIf(id -> !before.get(id).equals(after.get(id)));
        Set<String> dropped = new TreeSet<>(fromState.correlations());
        dropped.removeAll(carried);
        if (!dropped.isEmpty()) {
            LOG.info("open Sigma correlation windows dropped (correlation changed or removed): {}", dropped);
        }
        to.fireAllRules();   // its state rule inserts its (empty) SigmaCorrelations.State
        SigmaCorrelations.State toState = state(to);
        if (toState != null) {   // null: the new rules hold no correlation
            for (SigmaCorrelations.TumblingWindow w : fromState.handOver(toState, carried)) {
                to.insert(w);
            }
        }
    }

    private static SigmaCorrelations.State state(KieSession session) {
        for (Object o : session.getObjects(o -> o instanceof SigmaCorrelations.State)) {
            return (SigmaCorrelations.State) o;
        }
        return null;
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
