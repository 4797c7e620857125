package io.procwatch.sigma;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.procwatch.aggregate.Notable;
import io.procwatch.detect.RuleSet;
import io.procwatch.engine.EngineClock;
import io.procwatch.engine.ProcwatchEngine;
import io.procwatch.normalize.ProcessEvent;
import io.procwatch.state.DetectionState;
import io.procwatch.state.StateCodec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static io.procwatch.sigma.SigmaCorrelationV21Test.ev;
import static io.procwatch.sigma.SigmaFilterCorrelationTest.A;
import static io.procwatch.sigma.SigmaFilterCorrelationTest.B;
import static io.procwatch.sigma.SigmaFilterCorrelationTest.MIN;
import static io.procwatch.sigma.SigmaFilterCorrelationTest.T0;
import static io.procwatch.sigma.SigmaFilterCorrelationTest.correlation;
import static io.procwatch.sigma.SigmaFilterCorrelationTest.rule;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Open Sigma correlation windows are part of the detection state: a correlation half filled when the state is
 * captured (as {@code serve --state-dir} and the Kafka checkpoints do) fires exactly once, with the right count,
 * in a new engine restored from it, encoded and decoded on the way; without the state it would not fire.
 */
class SigmaCorrelationStateTest {

    static final String C1 = "00000000-0000-0000-0000-0000000003c1";

    @TempDir
    Path dir;

    /** Runs {@code events} through a new engine (restored from {@code state} when given); its notables. */
    static List<Notable> run(RuleSet rules, DetectionState state, List<ProcessEvent> events, DetectionState[] captured)
            throws Exception {
        List<Notable> out = new CopyOnWriteArrayList<>();
        ProcwatchEngine.Builder b = ProcwatchEngine.builder().rules(rules).clock(EngineClock.eventTime())
                .lateness(Duration.ofMinutes(5)).onNotable(out::add);
        if (state != null) {
            b.restore(state);
        }
        try (ProcwatchEngine e = b.build()) {
            events.forEach(e::submit);
            if (captured != null) {
                captured[0] = e.checkpoint();
            }
        }
        return out;
    }

    static long of(List<Notable> notables, String id) {
        return notables.stream().filter(n -> n.ruleId().equals(id)).count();
    }

    /** Captures after {@code before}, restores in a new engine, then {@code after}: the correlation's notables there. */
    long restoredNotables(RuleSet rules, List<ProcessEvent> before, List<ProcessEvent> after, int windows,
                          int matches) throws Exception {
        DetectionState[] s = new DetectionState[1];
        assertEquals(0, of(run(rules, null, before, s), C1), "half filled: nothing yet, not even at the close");
        StateCodec codec = new StateCodec();
        DetectionState back = codec.decode(codec.encode(s[0]));
        assertEquals(s[0], back, "a state survives encoding");
        JsonNode sigma = new ObjectMapper().valueToTree(back).path("extensions").path(SigmaRuntime.STATE_NAME);
        assertEquals(windows, sigma.path("windows").size(), sigma.toString());
        assertEquals(matches, sigma.path("windows").path(0).path("matches").size(), sigma.toString());
        assertEquals(0, of(run(rules, null, after, null), C1), "without the state the rest alone does not fire");
        return of(run(rules, back, after, null), C1);
    }

    @Test
    void aHalfFilledSlidingCorrelationFiresOnceAfterARestore() throws Exception {
        RuleSet rules = SigmaTestSupport.compile(dir, Map.of(), rule(A, "upload_rule", "upload"),
                correlation(C1, "  type: event_count\n  rules: [upload_rule]\n  group-by: [User]\n  timespan: 10m\n"
                        + "  condition: {gte: 3}\n")).rules();
        // bob: 2 before the capture, 2 after: the 3rd completes the count once; the 4th starts afresh (1).
        long n = restoredNotables(rules,
                List.of(ev(T0, "upload", "User", "bob"), ev(T0 + MIN, "upload", "User", "bob")),
                List.of(ev(T0 + 2 * MIN, "upload", "User", "bob"), ev(T0 + 3 * MIN, "upload", "User", "bob")), 1, 2);
        assertEquals(1, n);
    }

    @Test
    void aHalfFilledWindowEndCorrelationKeepsCountingEventsOnce() throws Exception {
        // eq 3, judged at the window end. Before the capture: "upload zip" (both rules: one event, two matches) and
        // "upload"; after: "zip". 3 events, so it fires once at the end; had the restore turned the shared event into
        // two, the count would be 4 and it would not.
        RuleSet rules = SigmaTestSupport.compile(dir, Map.of(), rule(A, "upload_rule", "upload"),
                rule(B, "zip_rule", "zip"),
                correlation(C1, "  type: event_count\n  rules: [upload_rule, zip_rule]\n  group-by: [User]\n"
                        + "  timespan: 10m\n  condition: {eq: 3}\n")).rules();
        long n = restoredNotables(rules,
                List.of(ev(T0, "upload zip", "User", "bob"), ev(T0 + MIN, "upload", "User", "bob")),
                List.of(ev(T0 + 2 * MIN, "zip", "User", "bob")), 1, 3);
        assertEquals(1, n);
    }
}
