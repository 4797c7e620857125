package io.procwatch.risk;

import io.procwatch.aggregate.NotableCollector;
import io.procwatch.aggregate.Watermark;
import io.procwatch.detect.Detections;
import io.procwatch.detect.RuleSet;
import io.procwatch.lookup.Lookups;
import io.procwatch.normalize.ProcessEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kie.api.event.rule.DefaultRuleRuntimeEventListener;
import org.kie.api.event.rule.ObjectInsertedEvent;
import org.kie.api.runtime.KieSession;
import org.kie.api.runtime.rule.FactHandle;
import org.kie.api.time.SessionPseudoClock;

import java.lang.ref.WeakReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.procwatch.risk.RiskStories.event;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Memory of the risk rules over days: a detection result is garbage once it has alerted, a risk event once it has
 * expired. Drools 10.2 keeps a fired match of a one-pattern rule whose match a modify ended (model.drl), which kept
 * every result and every risk event a factor rule had scored for the life of the session; this drives a session
 * the way DetectionSession does, with a factor rule firing on every risk event, and checks they are collectable.
 */
class RiskMemoryTest {

    private static final long DAY = Duration.ofDays(1).toMillis();

    @Test
    void resultsAndExpiredRiskEventsAreCollectable(@TempDir Path dir) throws Exception {
        Path l = Files.createDirectories(dir.resolve("lookups"));
        Files.writeString(l.resolve("identities.csv"), "identity,priority,category,watchlist\njdoe,medium,admin,false\n");
        RuleSet rules = RiskStories.rules("", Map.of()).withLookups(Lookups.fromRulesDirectory(dir));

        NotableCollector notables = new NotableCollector();
        KieSession ks = rules.newSession(true, Map.of("detections", new Detections(rules.catalog()),
                "notables", notables, RiskSession.GLOBAL, RiskSession.actionsFor(rules, notables)));
        RiskSession.start(ks, rules);
        Watermark watermark = new Watermark(Long.MIN_VALUE);
        FactHandle wh = ks.insert(watermark);
        SessionPseudoClock clock = ks.getSessionClock();

        Map<Object, Boolean> seen = new IdentityHashMap<>();
        List<WeakReference<DetectionResult>> results = new ArrayList<>();
        List<WeakReference<RiskEvent>> riskEvents = new ArrayList<>();
        List<Long> riskTimes = new ArrayList<>();
        ks.addEventListener(new DefaultRuleRuntimeEventListener() {
            @Override
            public void objectInserted(ObjectInsertedEvent e) {
                Object o = e.getObject();
                if (seen.put(o, Boolean.TRUE) != null) {
                    return; // a risk event inserted again as it is published
                }
                if (o instanceof DetectionResult r) {
                    results.add(new WeakReference<>(r));
                } else if (o instanceof RiskEvent r) {
                    riskEvents.add(new WeakReference<>(r));
                    riskTimes.add(r.getTime());
                }
            }
        });

        long start = Instant.parse("2024-03-04T09:00:00Z").toEpochMilli();
        long clockAt = 0;
        int days = 12;
        for (int d = 0; d < days; d++) {
            for (int h : new int[]{0, 6}) {
                long t = start + d * DAY + h * 3_600_000L;
                ProcessEvent e = event(Instant.ofEpochMilli(t).toString(), "whoami.exe /all");
                ks.insert(e);
                ks.fireAllRules();
                clock.advanceTime(t - clockAt, TimeUnit.MILLISECONDS);
                clockAt = t;
                watermark.setTime(t - Duration.ofMinutes(10).toMillis());
                ks.update(wh, watermark);
                ks.fireAllRules();
            }
        }
        notables.drain();
        seen.clear();
        long now = clockAt;

        assertEquals(2 * days - 1, results.size(), "one result per event but the last (its window is still open)");
        assertEquals(2 * results.size(), riskEvents.size(), "dest and user per result");
        for (int i = 0; i < 20 && !(allCleared(results) && expiredCleared(riskEvents, riskTimes, now)); i++) {
            System.gc();
            Thread.sleep(50);
        }
        assertTrue(allCleared(results), "detection results still reachable: " + alive(results) + " of " + results.size());
        assertTrue(expiredCleared(riskEvents, riskTimes, now), "expired risk events still reachable");
        long live = ks.getObjects(o -> o instanceof RiskEvent).size();
        assertTrue(live > 0 && live < riskEvents.size(), "the last 8 days' risk events stay, older ones go: " + live);
        ks.dispose();
    }

    private static boolean allCleared(List<? extends WeakReference<?>> refs) {
        return alive(refs) == 0;
    }

    private static long alive(List<? extends WeakReference<?>> refs) {
        return refs.stream().filter(r -> r.get() != null).count();
    }

    private static boolean expiredCleared(List<WeakReference<RiskEvent>> refs, List<Long> times, long now) {
        for (int i = 0; i < refs.size(); i++) {
            if (times.get(i) + 8 * DAY + DAY < now && refs.get(i).get() != null) {
                return false;
            }
        }
        return true;
    }
}
