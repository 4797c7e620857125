package io.procwatch.sigma;

import io.procwatch.normalize.FieldTable;
import io.procwatch.normalize.LogSource;
import io.procwatch.normalize.ProcessEvent;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Sigma filters and correlations, from the specifications: a filter's condition is added to the named rules
 * with 'and'; correlations count matches of named rules per group-by value within a timespan.
 */
class SigmaFilterCorrelationTest {

    static final String A = "00000000-0000-0000-0000-00000000000a";
    static final String B = "00000000-0000-0000-0000-00000000000b";
    static final long T0 = 1_700_000_000_000L;
    static final long MIN = 60_000L;

    @TempDir
    static Path dir;

    static String rule(String id, String name, String needle) {
        return "title: rule " + name + "\nid: " + id + "\nname: " + name + "\nlevel: high\n"
                + "logsource: {category: process_creation, product: windows}\n"
                + "detection:\n  sel:\n    CommandLine|contains: '" + needle + "'\n  condition: sel\n";
    }

    static String correlation(String id, String body) {
        return "title: corr " + id + "\nid: " + id + "\nlevel: critical\ncorrelation:\n" + body;
    }

    static ProcessEvent ev(long t, String user, String cmd) {
        return new ProcessEvent(FieldTable.create(), LogSource.SYSMON, 1, t, null,
                Map.of("CommandLine", cmd, "User", user, "Image", "C:\\x\\" + cmd.split(" ")[0] + ".exe"));
    }

    static SigmaTestSupport.Run run(List<String> yaml, List<ProcessEvent> events) throws Exception {
        return SigmaTestSupport.run(SigmaTestSupport.compile(dir, Map.of(), yaml.toArray(String[]::new)).rules(), events);
    }

    static long count(SigmaTestSupport.Run r, String id) {
        return r.matchCounts().getOrDefault(id, 0L);
    }

    @BeforeAll
    static void warm() {
        // nothing: each test compiles its own small rule set
    }

    @Test
    void filterAddsItsConditionWithAndToTheNamedRules() throws Exception {
        String filter = "title: admins are fine\nid: 00000000-0000-0000-0000-0000000000f1\n"
                + "logsource: {category: process_creation, product: windows}\n"
                + "filter:\n  rules:\n    - whoami_rule\n  selection:\n    User|startswith: 'adm_'\n  condition: not selection\n";
        SigmaTestSupport.Run r = run(List.of(rule(A, "whoami_rule", "whoami"), rule(B, "other_rule", "whoami"), filter),
                List.of(ev(T0, "adm_joe", "whoami /all"), ev(T0 + 1, "bob", "whoami"), ev(T0 + 2, "ADM_x", "whoami")));
        assertEquals(3L, count(r, A));
        assertEquals(2L, r.suppressedCounts().getOrDefault(A, 0L), "adm_ users (case-insensitive) suppressed");
        assertEquals(0L, r.suppressedCounts().getOrDefault(B, 0L), "a rule the filter does not name is untouched");
        assertEquals(1, r.notables().stream().filter(n -> n.ruleId().equals(A)).count());
    }

    @Test
    void eventCountSlidesItsWindowPerGroup() throws Exception {
        String corr = correlation("00000000-0000-0000-0000-0000000000c1",
                "  type: event_count\n  rules: [whoami_rule]\n  group-by: [User]\n  timespan: 10m\n  condition: {gte: 3}\n");
        // bob: 0, 4m, 10m -> window [0, 10m] inclusive holds 3 -> fires on the third.
        // eve: 0, 6m, 10m+1ms: the first aged out -> no.
        // alice and carl interleaved, two each: group-by keeps them apart -> no.
        SigmaTestSupport.Run r = run(List.of(rule(A, "whoami_rule", "whoami"), corr), List.of(
                ev(T0, "bob", "whoami"), ev(T0, "eve", "whoami"), ev(T0 + MIN, "alice", "whoami"),
                ev(T0 + 2 * MIN, "carl", "whoami"), ev(T0 + 3 * MIN, "alice", "whoami"),
                ev(T0 + 4 * MIN, "bob", "whoami"), ev(T0 + 4 * MIN, "carl", "whoami"),
                ev(T0 + 6 * MIN, "eve", "whoami"), ev(T0 + 10 * MIN, "bob", "whoami"),
                ev(T0 + 10 * MIN + 1, "eve", "whoami")));
        assertEquals(1L, count(r, "00000000-0000-0000-0000-0000000000c1"));
        assertTrue(r.notables().stream().anyMatch(n -> n.ruleId().equals("00000000-0000-0000-0000-0000000000c1")));
    }

    @Test
    void valueCountCountsDistinctValues() throws Exception {
        String corr = correlation("00000000-0000-0000-0000-0000000000c2",
                "  type: value_count\n  rules: [" + A + "]\n  group-by: [User]\n  timespan: 5m\n"
                        + "  condition: {field: CommandLine, gt: 2}\n");
        SigmaTestSupport.Run r = run(List.of(rule(A, "whoami_rule", "whoami"), corr), List.of(
                ev(T0, "bob", "whoami /a"), ev(T0 + 1, "bob", "whoami /a"), ev(T0 + 2, "bob", "whoami /b"),
                ev(T0 + 3, "eve", "whoami /a"), ev(T0 + 4, "eve", "whoami /b"), ev(T0 + 5, "eve", "whoami /c")));
        assertEquals(1L, count(r, "00000000-0000-0000-0000-0000000000c2"), "eve has 3 distinct, bob 2");
    }

    @Test
    void temporalAnyOrderAndOrdered() throws Exception {
        String any = correlation("00000000-0000-0000-0000-0000000000c3",
                "  type: temporal\n  rules: [whoami_rule, net_rule]\n  group-by: [User]\n  timespan: 5m\n");
        String ordered = correlation("00000000-0000-0000-0000-0000000000c4",
                "  type: temporal_ordered\n  rules: [whoami_rule, net_rule]\n  group-by: [User]\n  timespan: 5m\n");
        SigmaTestSupport.Run r = run(List.of(rule(A, "whoami_rule", "whoami"), rule(B, "net_rule", "net user"), any, ordered),
                List.of(
                        // bob: net then whoami (wrong order) within 5m
                        ev(T0, "bob", "net user"), ev(T0 + MIN, "bob", "whoami"),
                        // eve: whoami then net within 5m
                        ev(T0, "eve", "whoami"), ev(T0 + 2 * MIN, "eve", "net user"),
                        // joe: whoami then net 5m + 1 ms later: outside the timespan
                        ev(T0, "joe", "whoami"), ev(T0 + 5 * MIN + 1, "joe", "net user")));
        assertEquals(2L, count(r, "00000000-0000-0000-0000-0000000000c3"), "bob and eve");
        assertEquals(1L, count(r, "00000000-0000-0000-0000-0000000000c4"), "eve only");
    }

    @Test
    void lessThanIsJudgedWhenTheWindowEnds() throws Exception {
        String corr = correlation("00000000-0000-0000-0000-0000000000c5",
                "  type: event_count\n  rules: [whoami_rule]\n  group-by: [User]\n  timespan: 1m\n  condition: {lt: 2}\n");
        SigmaTestSupport.Run r = run(List.of(rule(A, "whoami_rule", "whoami"), corr), List.of(
                ev(T0, "bob", "whoami"), ev(T0 + 1000, "eve", "whoami"), ev(T0 + 2000, "eve", "whoami"),
                ev(T0 + 2 * MIN, "zed", "whoami")));
        // bob's and eve's windows end at 1m: bob had 1 (< 2, fires), eve 2 (no). zed's window is still open when
        // the input ends and is judged by the flush: 1 (fires). SigmaCorrelationSpecTest covers the timing.
        assertEquals(2L, count(r, "00000000-0000-0000-0000-0000000000c5"));
    }
}
