package io.procwatch.sigma;

import io.procwatch.aggregate.Notable;
import io.procwatch.detect.RuleSet;
import io.procwatch.engine.EngineClock;
import io.procwatch.engine.ProcwatchEngine;
import io.procwatch.engine.ReloadReport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static io.procwatch.sigma.SigmaCorrelationSpecTest.C1;
import static io.procwatch.sigma.SigmaCorrelationSpecTest.C2;
import static io.procwatch.sigma.SigmaCorrelationSpecTest.LATENESS;
import static io.procwatch.sigma.SigmaCorrelationSpecTest.countCorrelation;
import static io.procwatch.sigma.SigmaCorrelationSpecTest.ctime;
import static io.procwatch.sigma.SigmaCorrelationSpecTest.tick;
import static io.procwatch.sigma.SigmaFilterCorrelationTest.A;
import static io.procwatch.sigma.SigmaFilterCorrelationTest.B;
import static io.procwatch.sigma.SigmaFilterCorrelationTest.MIN;
import static io.procwatch.sigma.SigmaFilterCorrelationTest.T0;
import static io.procwatch.sigma.SigmaFilterCorrelationTest.ev;
import static io.procwatch.sigma.SigmaFilterCorrelationTest.rule;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A rule reload carries the Sigma correlation windows of every correlation whose id and definition (type, rules,
 * group-by, timespan, condition, field) are unchanged into the new session; a changed or removed correlation
 * starts afresh, its open windows dropped.
 */
class SigmaCorrelationReloadTest {

    static final String WHOAMI = rule(A, "whoami_rule", "whoami");
    /** A DRL file that has nothing to do with the correlations. */
    static final String UNRELATED = """
            package io.procwatch.rules;

            rule "unrelated hand-written rule"
            when
                eval( false )
            then
            end
            """;

    @TempDir
    static Path dir;

    static RuleSet compile(Map<Path, String> extraDrl, String... yaml) throws Exception {
        return SigmaTestSupport.compile(dir, extraDrl, yaml).rules();
    }

    static RuleSet compile(String... yaml) throws Exception {
        return compile(Map.of(), yaml);
    }

    @Test
    void aCountOfTwoBeforeTheReloadAndOneAfterFiresOnce() throws Exception {
        String gt2 = countCorrelation(C1, "whoami_rule", "gt: 2", "10m");
        RuleSet before = compile(WHOAMI, gt2);
        RuleSet after = compile(WHOAMI, gt2);   // the same files compiled again, as a reload does
        List<Notable> out = new CopyOnWriteArrayList<>();
        try (ProcwatchEngine engine = ProcwatchEngine.builder().rules(before).clock(EngineClock.eventTime())
                .lateness(LATENESS).onNotable(out::add).build()) {
            engine.submit(ev(T0, "bob", "whoami"));
            engine.submit(ev(T0 + MIN, "bob", "whoami"));
            ReloadReport r = engine.reload(after);
            assertEquals(List.of(), r.changed());
            engine.submit(ev(T0 + 2 * MIN, "bob", "whoami"));
            engine.flush();
        }
        List<Notable> c1 = out.stream().filter(n -> n.ruleId().equals(C1)).toList();
        assertEquals(1, c1.size(), "3 matches in 10 minutes, 2 of them before the reload: 3 > 2");
        assertEquals(1L, c1.get(0).fields().get("count"), "fired once");
        assertEquals("bob", c1.get(0).fields().get("User"));
        assertEquals(ctime(T0 + 2 * MIN), c1.get(0).fields().get("firstTime"), "at the match after the reload");
    }

    @Test
    void anLtWindowOpenAtTheReloadIsJudgedAfterIt() throws Exception {
        String lt3 = countCorrelation(C1, "whoami_rule", "lt: 3", "10m");
        try (SigmaCorrelationSpecTest.Replay r = new SigmaCorrelationSpecTest.Replay(compile(WHOAMI, lt3))) {
            r.feed(ev(T0, "bob", "whoami"), ev(T0 + MIN, "bob", "whoami"),
                    ev(T0, "eve", "whoami"), ev(T0 + MIN, "eve", "whoami"));
            r.reload(compile(WHOAMI, lt3));
            // eve's third match is inside her window [T0, T0 + 10m], opened before the reload: it joins it.
            r.feed(ev(T0 + 2 * MIN, "eve", "whoami"), tick(T0 + 15 * MIN));
            assertEquals(0, r.matches(C1), "watermark not yet past the window end");
            r.feed(tick(T0 + 15 * MIN + 1));
            assertEquals(1, r.matches(C1), "bob's window (2 < 3), judged by the new session's watermark");
            r.flush();
            assertEquals(1, r.matches(C1), "eve's window holds 3, not fewer than 3");
            List<Notable> n = r.notablesOf(C1);
            assertEquals(List.of("bob"), n.stream().map(x -> x.fields().get("User")).toList());
            assertEquals(ctime(T0 + 10 * MIN), n.get(0).fields().get("firstTime"), "timed at the window end");
        }
    }

    @Test
    void anEqWindowOpenAtTheReloadIsJudgedAtFlush() throws Exception {
        String eq2 = countCorrelation(C1, "whoami_rule", "eq: 2", "1h");
        try (SigmaCorrelationSpecTest.Replay r = new SigmaCorrelationSpecTest.Replay(compile(WHOAMI, eq2))) {
            r.feed(ev(T0, "bob", "whoami"), ev(T0 + MIN, "bob", "whoami"), ev(T0, "eve", "whoami"));
            r.reload(compile(WHOAMI, eq2));
            r.feed(ev(T0 + 2 * MIN, "eve", "whoami"), ev(T0 + 3 * MIN, "dan", "whoami"));
            assertEquals(0, r.matches(C1));
            r.flush();
            assertEquals(List.of("bob", "eve"), r.notablesOf(C1).stream().map(x -> x.fields().get("User")).sorted().toList(),
                    "bob: 2 before the reload; eve: 1 before and 1 after; dan: 1");
            assertEquals(ctime(T0 + 60 * MIN), r.notablesOf(C1).get(0).fields().get("lastTime"));
        }
    }

    @Test
    void aChangedCorrelationStartsFresh() throws Exception {
        RuleSet before = compile(WHOAMI, countCorrelation(C1, "whoami_rule", "gt: 2", "10m"),
                countCorrelation(C2, "whoami_rule", "lt: 3", "10m"));
        RuleSet after = compile(WHOAMI, countCorrelation(C1, "whoami_rule", "gt: 2", "20m"),   // timespan changed
                countCorrelation(C2, "whoami_rule", "lt: 4", "10m"));                               // condition changed
        assertEquals("event_count | 600000 | gt | 2 |  | User | " + A, SigmaCorrelations.specs(before.kieBase()).get(C1));
        assertEquals("event_count | 1200000 | gt | 2 |  | User | " + A, SigmaCorrelations.specs(after.kieBase()).get(C1));
        try (SigmaCorrelationSpecTest.Replay r = new SigmaCorrelationSpecTest.Replay(before)) {
            r.feed(ev(T0, "bob", "whoami"), ev(T0 + MIN, "bob", "whoami"));
            r.reload(after);
            r.feed(ev(T0 + 2 * MIN, "bob", "whoami"));
            assertEquals(0, r.matches(C1), "C1 counts afresh: 1 match since the reload is not more than 2");
            r.flush();
            assertEquals(0, r.matches(C1));
            // C2's window of 2 open at the reload is dropped, not judged; the match after the reload opens a new one.
            List<Notable> c2 = r.notablesOf(C2);
            assertEquals(1, c2.size());
            assertEquals(ctime(T0 + 12 * MIN), c2.get(0).fields().get("firstTime"), "the window opened after the reload");
            assertEquals(1L, c2.get(0).fields().get("count"));
        }
    }

    @Test
    void aRemovedCorrelationLeavesNothingToJudge() throws Exception {
        try (SigmaCorrelationSpecTest.Replay r = new SigmaCorrelationSpecTest.Replay(compile(WHOAMI, countCorrelation(C1, "whoami_rule", "lt: 3", "10m")))) {
            r.feed(ev(T0, "bob", "whoami"));
            r.reload(compile(WHOAMI));   // no correlation left, and so no correlation state either
            r.feed(ev(T0 + MIN, "bob", "whoami")).flush();
            assertEquals(0, r.notablesOf(C1).size());
            assertEquals(1, r.notablesOf(A).size(), "whoami_rule, named by no correlation now, raises its own notable");
        }
    }

    @Test
    void anUnrelatedChangeStillCarries() throws Exception {
        RuleSet before = compile(WHOAMI, rule(B, "net_rule", "net user"),
                countCorrelation(C1, "whoami_rule", "gt: 2", "10m"), countCorrelation(C2, "whoami_rule", "gt: 2", "10m"));
        // Another rule changed, another correlation changed, a DRL file added; C1 itself is the same.
        RuleSet after = compile(Map.of(Path.of("unrelated.drl"), UNRELATED), WHOAMI, rule(B, "net_rule", "net group"),
                countCorrelation(C1, "whoami_rule", "gt: 2", "10m"), countCorrelation(C2, "whoami_rule", "gt: 2", "20m"));
        try (SigmaCorrelationSpecTest.Replay r = new SigmaCorrelationSpecTest.Replay(before)) {
            r.feed(ev(T0, "bob", "whoami"), ev(T0 + MIN, "bob", "whoami"));
            r.reload(after);
            r.feed(ev(T0 + 2 * MIN, "bob", "whoami"));
            assertEquals(1, r.matches(C1), "C1 carried: 3 > 2");
            assertEquals(0, r.matches(C2), "C2 changed: 1 since the reload");
        }
    }
}
