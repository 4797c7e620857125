package io.procwatch.risk;

import io.procwatch.aggregate.Notable;
import io.procwatch.detect.RuleSet;
import io.procwatch.engine.EngineClock;
import io.procwatch.engine.ProcwatchEngine;
import io.procwatch.state.DetectionState;
import io.procwatch.state.StateCodec;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static io.procwatch.risk.RiskStories.CREDS;
import static io.procwatch.risk.RiskStories.event;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The embedding API's risk callback, and throttle state across a rule reload and in the durable state. */
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

    @Test
    void throttleMarksAndRiskWindowsAreInTheDurableStateAndARestoredEngineKeepsThrottling() throws Exception {
        RuleSet rules = RiskStories.rules(THROTTLE, Map.of());
        DetectionState state;
        List<Notable> before = new CopyOnWriteArrayList<>();
        try (ProcwatchEngine engine = ProcwatchEngine.builder().rules(rules).clock(EngineClock.eventTime())
                .lateness(Duration.ofMinutes(10)).onNotable(before::add).build()) {
            engine.submit(event("2024-03-04T12:00:00Z", "mimikatz.exe sekurlsa::logonpasswords"));
            engine.submit(event("2024-03-04T13:00:00Z", "notepad.exe"));   // closes the 12:00 window
            engine.tick();
            state = engine.checkpoint();
        }
        assertEquals(1, before.stream().filter(n -> CREDS.equals(n.fields().get("rule_title"))).count());
        StateCodec codec = new StateCodec();
        DetectionState back = codec.decode(codec.encode(state));
        assertEquals(1, back.risk().throttles().size(), "the credential dump's throttle mark");
        assertEquals(CREDS_ID, back.risk().throttles().get(0).ruleId());
        assertEquals(2, back.risk().events().size(), "its dest and user risk events, for the incident windows");

        List<Notable> after = new CopyOnWriteArrayList<>();
        List<RiskEventRecord> risk = new CopyOnWriteArrayList<>();
        try (ProcwatchEngine engine = ProcwatchEngine.builder().rules(rules).clock(EngineClock.eventTime())
                .lateness(Duration.ofMinutes(10)).restore(back).onNotable(after::add).onRiskEvent(risk::add).build()) {
            engine.submit(event("2024-03-04T14:00:00Z", "mimi.exe sekurlsa::logonpasswords exit"));
            engine.flush();
            assertEquals(1L, engine.throttled().get(CREDS_ID), "throttled by the mark the state carried");
        }
        assertEquals(0, new Out(after, risk).creds(), "no second notable within the day");
        assertEquals(List.of(true, true), risk.stream().map(r -> r.fields().get("throttled")).toList());
        String alerted = before.stream().filter(n -> CREDS.equals(n.fields().get("rule_title"))).findFirst()
                .orElseThrow().id();
        assertEquals(List.of(alerted, alerted), risk.stream().map(r -> r.fields().get("notable_id")).toList(),
                "the throttled risk events name the notable that alerted before the restart");
    }
}
