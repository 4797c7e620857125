package io.procwatch.sigma;

import io.procwatch.detect.RuleSet;
import io.procwatch.engine.SessionExtension;
import io.procwatch.normalize.ProcessEvent;
import org.kie.api.runtime.KieSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * What converted Sigma rules add to a detection session: the prefilter's search ahead of the session, and the
 * correlation windows carried over a reload. Registered with {@link java.util.ServiceLoader} in
 * {@code META-INF/services/io.procwatch.engine.SessionExtension$Provider}.
 */
public final class SigmaSessionExtension implements SessionExtension {

    private static final Logger LOG = LoggerFactory.getLogger(SigmaSessionExtension.class);

    private final SigmaPrefilter prefilter;

    private SigmaSessionExtension(SigmaPrefilter prefilter) {
        this.prefilter = prefilter;
    }

    /** The provider the core finds by {@link java.util.ServiceLoader}. */
    public static final class Provider implements SessionExtension.Provider {
        @Override
        public Optional<SessionExtension> forRules(RuleSet rules) {
            SigmaRuntime sigma = SigmaRuntime.of(rules);
            return sigma != null && sigma.prefilter().ruleCount() > 0
                    ? Optional.of(new SigmaSessionExtension(sigma.prefilter())) : Optional.empty();
        }
    }

    @Override
    public void prepare(ProcessEvent event) {
        prefilter.prepare(event);
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
}
