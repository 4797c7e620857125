package io.procwatch.sigma;

import io.procwatch.normalize.FieldTable;
import io.procwatch.normalize.LogSource;
import io.procwatch.normalize.ProcessEvent;
import io.procwatch.sigma.SigmaCorrelationSpecTest.Replay;
import io.procwatch.sigma.SigmaTestSupport.Compiled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.procwatch.sigma.SigmaFilterCorrelationTest.A;
import static io.procwatch.sigma.SigmaFilterCorrelationTest.B;
import static io.procwatch.sigma.SigmaFilterCorrelationTest.MIN;
import static io.procwatch.sigma.SigmaFilterCorrelationTest.T0;
import static io.procwatch.sigma.SigmaFilterCorrelationTest.correlation;
import static io.procwatch.sigma.SigmaFilterCorrelationTest.rule;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Sigma correlation specification 2.1 (SigmaHQ sigma-specification, "Sigma Correlation Rules Specification",
 * version 2.1.0, 2025-08-02): {@code value_sum}, {@code value_avg}, {@code value_percentile}, the {@code neq}
 * criterion, {@code value_count} over several fields ("When you use multiple values in `field` they are linked by
 * an AND"), and values compared as Sigma compares them ("All values are treated as case-insensitive strings",
 * rules specification, section General). Every expected count below is worked out by hand in its comment.
 */
class SigmaCorrelationV21Test {

    static final String C1 = "00000000-0000-0000-0000-0000000002c1";
    static final String C2 = "00000000-0000-0000-0000-0000000002c2";

    @TempDir
    Path dir;

    Compiled compile(String... yaml) throws Exception {
        return SigmaTestSupport.compile(dir, Map.of(), yaml);
    }

    /** A process event whose command line the rules look at, with extra fields (Windows names). */
    static ProcessEvent ev(long t, String cmd, String... fieldValues) {
        Map<String, String> f = new HashMap<>();
        f.put("CommandLine", cmd);
        f.put("Image", "C:\\x\\" + cmd.split(" ")[0] + ".exe");
        for (int i = 0; i < fieldValues.length; i += 2) {
            f.put(fieldValues[i], fieldValues[i + 1]);
        }
        return new ProcessEvent(FieldTable.create(), LogSource.SYSMON, 1, t, null, f);
    }

    static String upload() {
        return rule(A, "upload_rule", "upload");
    }

    @Test
    void valueSumFiresWhenTheGroupsSumPassesTheBound() throws Exception {
        Compiled c = compile(upload(), correlation(C1, "  type: value_sum\n  rules: [upload_rule]\n  group-by: [User]\n"
                + "  timespan: 10m\n  condition: {field: BytesOut, gt: 1000}\n"));
        String drl = c.drl().values().stream().filter(d -> d.contains("@sigmaCorrelation(")).findFirst().orElseThrow();
        assertTrue(drl.contains("$w : CorrelationWindow( correlation == \"" + C1 + "\", valueSum > 1000 )"), drl);
        assertTrue(drl.contains("modify( $w ) { add( $m ) }"), drl);
        try (Replay r = new Replay(c)) {
            // bob: 400, 500 (900), "n/a" adds nothing, 200 (1,100 > 1000: fires, restarts), 300 (300).
            r.feed(ev(T0, "upload a", "User", "bob", "BytesOut", "400"),
                    ev(T0 + MIN, "upload b", "User", "bob", "BytesOut", "500"),
                    ev(T0 + 2 * MIN, "upload c", "User", "bob", "BytesOut", "n/a"));
            assertEquals(0, r.matches(C1), "900");
            r.feed(ev(T0 + 3 * MIN, "upload d", "User", "BOB", "BytesOut", "200"));
            assertEquals(1, r.matches(C1), "1,100 (BOB is bob)");
            r.feed(ev(T0 + 4 * MIN, "upload e", "User", "bob", "BytesOut", "300"));
            // carl: 600, then 600 eleven minutes later: the first has left the 10-minute window (600 each time).
            r.feed(ev(T0 + 5 * MIN, "upload f", "User", "carl", "BytesOut", "600"),
                    ev(T0 + 16 * MIN, "upload g", "User", "carl", "BytesOut", "600"));
            // alice: 2,000.5 alone passes.
            r.feed(ev(T0 + 17 * MIN, "upload h", "User", "alice", "BytesOut", "2000.5"));
            r.flush();
            assertEquals(2, r.matches(C1), "bob once, alice once, carl never");
            assertEquals(8, r.matches(A));
        }
    }

    @Test
    void valueAvgIsJudgedOverTheWholeWindow() throws Exception {
        Compiled c = compile(upload(), correlation(C1, "  type: value_avg\n  rules: [upload_rule]\n  group-by: [User]\n"
                + "  timespan: 10m\n  condition: {field: BytesOut, gt: 500}\n"));
        try (Replay r = new Replay(c)) {
            // bob: 1000 then 100: the average of the window is 550 > 500 (a check at the first match would see 1000).
            // alice: 100, 200 (150). dave: no number at all: nothing to average, never fires.
            r.feed(ev(T0, "upload a", "User", "bob", "BytesOut", "1000"),
                    ev(T0 + MIN, "upload b", "User", "alice", "BytesOut", "100"),
                    ev(T0 + 2 * MIN, "upload c", "User", "bob", "BytesOut", "100"),
                    ev(T0 + 3 * MIN, "upload d", "User", "alice", "BytesOut", "200"),
                    ev(T0 + 4 * MIN, "upload e", "User", "dave", "BytesOut", "lots"));
            assertEquals(0, r.matches(C1), "no window is over yet");
            // bob: a second window from 30 minutes: 400, 500 (450): does not fire.
            r.feed(ev(T0 + 30 * MIN, "upload f", "User", "bob", "BytesOut", "400"),
                    ev(T0 + 31 * MIN, "upload g", "User", "bob", "BytesOut", "500"));
            assertEquals(1, r.matches(C1), "bob's first window ended (watermark 26m > 10m) with 550");
            r.flush();
            assertEquals(1, r.matches(C1));
            assertEquals(1, r.notablesOf(C1).size());
        }
    }

    @Test
    void valuePercentileComparesTheShareOfAValue() throws Exception {
        // lte 10: a value carried by at most 10% of the group's events (the specification's "spawned a process name
        // ... [less] than 1% of all the processes"); gte 90: a value carried by at least 90% of them.
        String rare = correlation(C1, "  type: value_percentile\n  rules: [run_rule]\n  group-by: [User]\n"
                + "  timespan: 1h\n  condition: {field: Image, lte: 10}\n");
        String common = correlation(C2, "  type: value_percentile\n  rules: [run_rule]\n  group-by: [User]\n"
                + "  timespan: 1h\n  condition: {field: Image, gte: 90}\n");
        Compiled c = compile(rule(A, "run_rule", "run"), rare, common);
        try (Replay r = new Replay(c)) {
            long t = T0;
            // bob: 19 x cmd.exe and 1 x rare.exe: rarest 5% (<= 10), commonest 95% (>= 90): both fire.
            for (int i = 0; i < 19; i++) {
                r.feed(ev(t += 1000, "run", "User", "bob", "Image", "C:\\cmd.exe"));
            }
            r.feed(ev(t += 1000, "run", "User", "bob", "Image", "C:\\rare.exe"));
            // alice: 5 x cmd.exe, 5 x ps.exe: 50% each: neither.
            for (int i = 0; i < 5; i++) {
                r.feed(ev(t += 1000, "run", "User", "alice", "Image", "C:\\cmd.exe"),
                        ev(t += 1000, "run", "User", "alice", "Image", "C:\\ps.exe"));
            }
            // carl: 5 x cmd.exe and 5 x CMD.EXE: one value compared case-insensitively, 100%: the common one fires
            // (case-sensitively it would be two values of 50%).
            for (int i = 0; i < 5; i++) {
                r.feed(ev(t += 1000, "run", "User", "carl", "Image", "C:\\cmd.exe"),
                        ev(t += 1000, "run", "User", "carl", "Image", "C:\\CMD.EXE"));
            }
            assertEquals(0, r.matches(C1) + r.matches(C2), "judged when the hour is over");
            r.flush();
            assertEquals(1, r.matches(C1), "bob");
            assertEquals(2, r.matches(C2), "bob and carl");
        }
    }

    @Test
    void neqIsJudgedWhenTheWindowIsOver() throws Exception {
        Compiled c = compile(upload(), correlation(C1, "  type: event_count\n  rules: [upload_rule]\n  group-by: [User]\n"
                + "  timespan: 10m\n  condition: {neq: 2}\n"));
        try (Replay r = new Replay(c)) {
            // bob 2 (no), alice 1 (fires), carl 3 (fires: a count that passed 2 is not 2 at the end).
            r.feed(ev(T0, "upload", "User", "bob"), ev(T0 + 1, "upload", "User", "bob"),
                    ev(T0 + 2, "upload", "User", "alice"),
                    ev(T0 + 3, "upload", "User", "carl"), ev(T0 + 4, "upload", "User", "carl"),
                    ev(T0 + 5, "upload", "User", "carl"));
            assertEquals(0, r.matches(C1));
            r.flush();
            assertEquals(2, r.matches(C1));
        }
    }

    @Test
    void valueCountOverSeveralFieldsCountsDistinctCombinations() throws Exception {
        Compiled c = compile(upload(), correlation(C1, "  type: value_count\n  rules: [upload_rule]\n"
                + "  group-by: [Computer]\n  timespan: 10m\n  condition: {field: [User, Image], gte: 3}\n"));
        try (Replay r = new Replay(c)) {
            // host1: (bob, a), (bob, b), (alice, a): 3 combinations (2 users, 2 images): fires at the third.
            r.feed(ev(T0, "upload a", "Computer", "host1", "User", "bob", "Image", "a.exe"),
                    ev(T0 + 1, "upload b", "Computer", "host1", "User", "bob", "Image", "b.exe"));
            assertEquals(0, r.matches(C1));
            r.feed(ev(T0 + 2, "upload c", "Computer", "host1", "User", "alice", "Image", "a.exe"));
            assertEquals(1, r.matches(C1));
            // HOST2: (bob, a), (BOB, A.EXE) is the same, (alice, a), one without User counts nothing: 2.
            r.feed(ev(T0 + 3, "upload d", "Computer", "HOST2", "User", "bob", "Image", "a.exe"),
                    ev(T0 + 4, "upload e", "Computer", "host2", "User", "BOB", "Image", "A.EXE"),
                    ev(T0 + 5, "upload f", "Computer", "host2", "User", "alice", "Image", "a.exe"),
                    ev(T0 + 6, "upload g", "Computer", "host2", "Image", "z.exe"));
            r.flush();
            assertEquals(1, r.matches(C1));
        }
    }

    @Test
    void groupByValuesAreComparedCaseInsensitively() throws Exception {
        Compiled c = compile(upload(), correlation(C1, "  type: event_count\n  rules: [upload_rule]\n  group-by: [User]\n"
                + "  timespan: 10m\n  condition: {gte: 3}\n"));
        try (Replay r = new Replay(c)) {
            r.feed(ev(T0, "upload", "User", "CORP\\Bob"), ev(T0 + 1, "upload", "User", "corp\\bob"),
                    ev(T0 + 2, "upload", "User", "CORP\\BOB"), ev(T0 + 3, "upload", "User", "corp\\alice")).flush();
            assertEquals(1, r.matches(C1), "three events of one user");
        }
    }

    @Test
    void eventCountCountsAnEventMatchedByTwoRulesOnceAlsoAtTheWindowEnd() throws Exception {
        // eq is judged at the window end; one event matching both rules is one event.
        Compiled c = compile(rule(A, "upload_rule", "upload"), rule(B, "zip_rule", "zip"),
                correlation(C1, "  type: event_count\n  rules: [upload_rule, zip_rule]\n  group-by: [User]\n"
                        + "  timespan: 10m\n  condition: {eq: 2}\n"));
        try (Replay r = new Replay(c)) {
            // bob: "upload zip" (both rules: 1 event, 2 matches) + "zip": 2 events: fires. alice: "upload zip"
            // alone: 1 event (2 matches): does not.
            r.feed(ev(T0, "upload zip", "User", "bob"), ev(T0 + 1, "zip", "User", "bob"),
                    ev(T0 + 2, "upload zip", "User", "alice")).flush();
            assertEquals(2, r.matches(A));
            assertEquals(3, r.matches(B));
            assertEquals(1, r.matches(C1));
        }
    }

    @Test
    void whatTheSpecificationDoesNotSayIsRefusedWithAReason() throws Exception {
        Map<String, String> refused = Map.of(
                "  type: value_percentile\n  rules: [upload_rule]\n  group-by: [User]\n  timespan: 1h\n"
                        + "  condition: {field: Image, eq: 5}\n", "value_percentile takes lt/lte",
                "  type: value_sum\n  rules: [upload_rule]\n  group-by: [User]\n  timespan: 1h\n"
                        + "  condition: {field: [A, B], gt: 5}\n", "value_sum reads one number field",
                "  type: value_percentile\n  rules: [upload_rule]\n  group-by: [User]\n  timespan: 1h\n"
                        + "  condition: {field: Image, percentile: 95, gt: 5}\n", "condition.percentile is not part",
                "  type: event_count\n  rules: [upload_rule]\n  group-by: [User]\n  timespan: 1h\n"
                        + "  condition: {gt: 2.5}\n", "condition.gt must be a whole number",
                "  type: value_avg\n  rules: [upload_rule]\n  group-by: [User]\n  timespan: 1h\n"
                        + "  condition: {gt: 5}\n", "condition.field is missing");
        for (Map.Entry<String, String> x : refused.entrySet()) {
            Path d = Files.createTempDirectory(dir, "rules");
            Files.writeString(d.resolve("a.yml"), upload());
            Files.writeString(d.resolve("c.yml"), correlation(C1, x.getKey()));
            ConversionReport r = SigmaConverter.standard().convertAll(List.of(d));
            assertEquals(1, r.failures().size(), x.getKey());
            assertTrue(r.failures().get(0).detail().contains(x.getValue()), r.failures().get(0).detail());
        }
    }
}
