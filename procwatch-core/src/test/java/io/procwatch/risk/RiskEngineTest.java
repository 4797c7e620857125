package io.procwatch.risk;

import io.procwatch.aggregate.Notable;
import io.procwatch.detect.RuleSet;
import io.procwatch.engine.EngineClock;
import io.procwatch.engine.ProcwatchEngine;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static io.procwatch.risk.RiskStories.CREDS;
import static io.procwatch.risk.RiskStories.event;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The embedding API's risk callback, and throttle state across a rule reload. */
class RiskEngineTest {

    static final String CREDS_ID = "33333333-3333-4333-8333-333333333333";
    static final String THROTTLE = "@throttle( fields=\"dest\", window=\"1d\" )";

    record Out(List<Notable> notables, List<RiskEventRecord> risk) {
        long creds() {
            return notables.stream().filter(n -> CREDS.equals(n.fields().get("rule_title"))).count();
        }
    }

    /** One credential dump, a reload to {@code next}, a second one 2 hours later (within the 1-day throttle). */
    static Out runAcrossReload(RuleSet first, RuleSet next) throws Exception {
        List<Notable> notables = new CopyOnWriteArrayList<>();
        List<RiskEventRecord> risk = new CopyOnWriteArrayList<>();
        try (ProcwatchEngine engine = ProcwatchEngine.builder().rules(first).clock(EngineClock.eventTime())
                .lateness(Duration.ofMinutes(10)).onNotable(notables::add).onRiskEvent(risk::add).build()) {
            engine.submit(event("2024-03-04T12:00:00Z", "mimikatz.exe sekurlsa::logonpasswords"));
            engine.submit(event("2024-03-04T13:00:00Z", "notepad.exe"));   // closes the 12:00 window
            engine.tick();
            engine.reload(next);
            engine.submit(event("2024-03-04T14:00:00Z", "mimi.exe sekurlsa::logonpasswords exit"));
            engine.flush();
            assertEquals(4, engine.riskEventCount());
            assertEquals(next == first ? 1L : 0L, engine.throttled().getOrDefault(CREDS_ID, 0L));
        }
        return new Out(notables, risk);
    }

    @Test
    void riskCallbackGetsEveryRiskEventAndThrottleStateSurvivesAReloadOfAnUnchangedDetection() throws Exception {
        RuleSet rules = RiskStories.rules(THROTTLE, Map.of());
        Out out = runAcrossReload(rules, rules);
        assertEquals(1, out.creds(), "the second dump after the reload is still throttled");
        assertEquals(List.of(false, false, true, true), out.risk().stream().map(r -> r.fields().get("throttled")).toList());
        assertEquals(List.of("system", "user", "system", "user"),
                out.risk().stream().map(r -> r.fields().get("risk_object_type")).toList());
    }

    @Test
    void aChangedDetectionStartsWithoutThrottleState() throws Exception {
        RuleSet rules = RiskStories.rules(THROTTLE, Map.of());
        RuleSet changed = RiskStories.rules(THROTTLE + "\n    @securityDomain( \"threat\" )", Map.of());
        Out out = runAcrossReload(rules, changed);
        assertEquals(2, out.creds(), "a changed detection alerts anew");
    }
}
