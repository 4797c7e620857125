package io.procwatch.sigma;

import io.procwatch.detect.RuleSet;
import io.procwatch.detect.RuleSetGlobal;
import io.procwatch.engine.SessionExtension;
import io.procwatch.normalize.FieldTable;
import io.procwatch.normalize.ProcessEvent;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.kie.api.runtime.KieRuntime;
import org.kie.api.runtime.KieSession;
import org.kie.api.runtime.rule.FactHandle;
import org.kie.api.runtime.rule.RuleContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Comparator;
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
    /** The name of the Sigma correlation windows in a detection state's {@code extensions}. */
    public static final String STATE_NAME = "sigmaCorrelations";

    /** Reads and writes {@link CorrelationState}; one per runtime (nothing static and mutable). */
    private final ObjectMapper json = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

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

    /**
     * The prefilter rule's work: inserts the event's candidates ({@link SigmaPrefilter#candidates}) and, when there
     * are any, one {@link SigmaCandidates} holding them with their handles for {@link #deleteCandidates}.
     */
    public void insertCandidates(RuleContext kcontext, ProcessEvent e) {
        List<SigmaCandidate> candidates = prefilter.candidates(e);
        if (candidates.isEmpty()) {
            return;
        }
        KieRuntime session = kcontext.getKieRuntime();
        FactHandle[] handles = new FactHandle[candidates.size()];
        for (int i = 0; i < handles.length; i++) {
            handles[i] = session.insert(candidates.get(i));
        }
        session.insert(new SigmaCandidates(candidates, handles));
    }

    /** The cleanup rule's work: deletes an event's candidates by their handles, then {@code all} itself. */
    public void deleteCandidates(RuleContext kcontext, SigmaCandidates all) {
        KieRuntime session = kcontext.getKieRuntime();
        for (FactHandle h : all.handles()) {
            session.delete(h);
        }
        session.delete(session.getFactHandle(all));
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

    @Override
    public void prepare(ProcessEvent event) {
        if (prefilter.ruleCount() > 0) {
            prefilter.prepare(event);
        }
    }

    /**
     * Moves the open Sigma correlation windows ({@link CorrelationWindow} facts) of every correlation whose
     * {@code @sigmaCorrelationSpec} is the same in {@code to}'s rules into {@code to}: its later matches count on,
     * and its windows are judged by the new rules. The windows of a correlation changed or removed are dropped, not
     * judged: they are not over, so their outcome is not known yet (a count below an lt bound now may pass it
     * later), and the new definition starts afresh.
     */
    @Override
    public void handOver(KieSession from, KieSession to) {
        Map<String, String> after = SigmaCorrelations.specs(to.getKieBase());
        Map<String, String> before = SigmaCorrelations.specs(from.getKieBase());
        Set<String> dropped = new TreeSet<>();
        List<CorrelationWindow> carried = new ArrayList<>();
        for (CorrelationWindow w : windows(from)) {
            from.delete(from.getFactHandle(w));
            String spec = before.get(w.getCorrelation());
            if (spec != null && spec.equals(after.get(w.getCorrelation()))) {
                carried.add(w);
            } else {
                dropped.add(w.getCorrelation());
            }
        }
        if (!dropped.isEmpty()) {
            LOG.info("open Sigma correlation windows dropped (correlation changed or removed): {}", dropped);
        }
        carried.sort(Comparator.comparing(CorrelationWindow::getCorrelation).thenComparingLong(CorrelationWindow::getStart));
        carried.forEach(to::insert);
    }

    @Override
    public String stateName() {
        return STATE_NAME;
    }

    /** The open correlation windows, with each correlation's definition ({@link CorrelationState}). */
    @Override
    public JsonNode capture(KieSession session) {
        List<CorrelationWindow> open = windows(session);
        if (open.isEmpty()) {
            return null;
        }
        try {
            // Through the text: the tree equals the one read back from a stored state (same number node types).
            return json.readTree(json.writeValueAsBytes(CorrelationState.of(open, SigmaCorrelations.specs(session.getKieBase()))));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * Inserts the captured windows of the correlations whose definition is the same in these rules; the others
     * are dropped (logged), as on a reload.
     */
    @Override
    public void restore(KieSession session, JsonNode state, FieldTable fields) {
        CorrelationState s;
        try {
            s = json.treeToValue(state, CorrelationState.class);
        } catch (com.fasterxml.jackson.core.JsonProcessingException | IllegalArgumentException e) {
            LOG.warn("Sigma correlation windows in the restored state are unreadable and dropped: {}", e.toString());
            return;
        }
        List<CorrelationWindow> facts = s.facts(SigmaCorrelations.specs(session.getKieBase()), fields);
        if (facts.size() < s.windows().size()) {
            LOG.info("{} restored Sigma correlation windows dropped (correlation changed or removed)",
                    s.windows().size() - facts.size());
        }
        facts.forEach(session::insert);
    }

    private static List<CorrelationWindow> windows(KieSession session) {
        List<CorrelationWindow> out = new ArrayList<>();
        for (Object o : session.getObjects(o -> o instanceof CorrelationWindow)) {
            out.add((CorrelationWindow) o);
        }
        return out;
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
