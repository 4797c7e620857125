package io.procwatch.sigma;

import io.procwatch.aggregate.Notable;
import io.procwatch.detect.RuleSet;
import io.procwatch.sigma.SigmaTestSupport.Compiled;
import io.procwatch.engine.DetectionSession;
import io.procwatch.normalize.ProcessEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static io.procwatch.sigma.SigmaFilterCorrelationTest.A;
import static io.procwatch.sigma.SigmaFilterCorrelationTest.B;
import static io.procwatch.sigma.SigmaFilterCorrelationTest.MIN;
import static io.procwatch.sigma.SigmaFilterCorrelationTest.T0;
import static io.procwatch.sigma.SigmaFilterCorrelationTest.correlation;
import static io.procwatch.sigma.SigmaFilterCorrelationTest.ev;
import static io.procwatch.sigma.SigmaFilterCorrelationTest.rule;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Sigma correlation rules from the specification (SigmaHQ sigma-specification, "Sigma Correlation Rules
 * Specification", version 2.0.0, 2024-08-08): conditions {@code lt}/{@code lte} judged when a window ends, and
 * {@code generate}.
 *
 * <p>The specification, section Condition: "It is a map of exactly one condition criterion: ... `lt`: The count
 * must be lesser than the given value; `lte`: The count must be lesser than or equal the given value", and "for an
 * event_count correlation it defines the event count that must appear within the given time frame to match". A
 * count below a bound is only known once the time frame is over, so such a window is judged when the session's
 * time (the watermark: newest event time less the 5-minute allowance used here) passes its end, or at the end of
 * the input.
 *
 * <p>Section Generate: "defines if the rules referred from the correlation rule should be converted as
 * stand-alone rules or if only the correlation query should be generated (default)." And: "The rules in a
 * multi-document YAML that build a correlation rule are not producing individual, independent queries."
 */
class SigmaCorrelationSpecTest {

    static final String C1 = "00000000-0000-0000-0000-0000000000d1";
    static final String C2 = "00000000-0000-0000-0000-0000000000d2";
    static final String F1 = "00000000-0000-0000-0000-0000000000f1";
    static final Duration LATENESS = Duration.ofMinutes(5);
    static final DateTimeFormatter CTIME = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss").withZone(ZoneOffset.UTC);

    @TempDir
    static Path dir;

    static Compiled compile(String... yaml) throws Exception {
        return SigmaTestSupport.compile(dir, Map.of(), yaml);
    }

    /**
     * One replay session driven step by step, as the scan pipeline drives it (insert, fire, ..., flush), and
     * replaced on a reload as {@code ProcwatchEngine} does it (handOver, then the new session).
     */
    static final class Replay implements AutoCloseable {
        DetectionSession session;
        final List<Notable> notables = new ArrayList<>();

        Replay(Compiled c) {
            this(c.rules());
        }

        Replay(RuleSet rules) {
            session = new DetectionSession(rules, true, LATENESS);
        }

        Replay reload(RuleSet next) {
            DetectionSession fresh = new DetectionSession(next, true, LATENESS);
            session.handOver(fresh, g -> true).forEach(g -> notables.add(Notable.of(g)));
            session.close();
            session = fresh;
            return this;
        }

        Replay feed(ProcessEvent... events) {
            for (ProcessEvent e : events) {
                session.insert(e);
                notables.addAll(session.fire());
            }
            return this;
        }

        Replay flush() {
            notables.addAll(session.flush());
            return this;
        }

        /** Matches of {@code id} in the current session (since the last reload). */
        long matches(String id) {
            return session.detections().matchCounts().getOrDefault(id, 0L);
        }

        long suppressed(String id) {
            return session.detections().suppressedCounts().getOrDefault(id, 0L);
        }

        List<Notable> notablesOf(String id) {
            return notables.stream().filter(n -> n.ruleId().equals(id)).toList();
        }

        /** Matches of {@code id} that reached a notable (a notable may hold several). */
        long inNotables(String id) {
            return notablesOf(id).stream().mapToLong(n -> (Long) n.fields().get("count")).sum();
        }

        @Override
        public void close() {
            session.close();
        }
    }

    static String countCorrelation(String id, String rules, String condition, String timespan) {
        return correlation(id, "  type: event_count\n  rules: [" + rules + "]\n  group-by: [User]\n  timespan: "
                + timespan + "\n  condition: {" + condition + "}\n");
    }

    /** An event no rule here matches: it only moves the session's time. */
    static ProcessEvent tick(long t) {
        return ev(t, "nobody", "notepad");
    }

    static String ctime(long t) {
        return CTIME.format(Instant.ofEpochMilli(t));
    }

    // ------------------------------------------------------------------ lt / lte

    @Test
    void ltFiresWhenTheWatermarkPassesTheWindowEndWithNoLaterMatch() throws Exception {
        // lt: "The count must be lesser than the given value". bob: 2 matches in [T0, T0 + 10m], 2 < 3.
        assertJudgedOnceJustPastTheWindowEnd("lt: 3", "window still open");
    }

    /**
     * bob matches at T0 and T0 + 1m, a count correlation over 10m with {@code condition}: nothing before the
     * watermark is past the window end (T0 + 10m + the 5m lateness), one notable for bob just after, timed at the
     * window end, not late, judged once.
     */
    private void assertJudgedOnceJustPastTheWindowEnd(String condition, String beforeEnd) throws Exception {
        Compiled c = compile(rule(A, "whoami_rule", "whoami"), countCorrelation(C1, "whoami_rule", condition, "10m"));
        try (Replay r = new Replay(c)) {
            r.feed(ev(T0, "bob", "whoami"), ev(T0 + MIN, "bob", "whoami"), tick(T0 + 14 * MIN));
            assertEquals(0, r.matches(C1), beforeEnd);
            r.feed(tick(T0 + 15 * MIN));
            assertEquals(0, r.matches(C1), "watermark == window end: an event at the end would still be on time");
            r.feed(tick(T0 + 15 * MIN + 1));
            assertEquals(1, r.matches(C1), "watermark past the window end: judged, no later match of the rule needed");
            r.flush();
            assertEquals(1, r.matches(C1), "judged once");
            List<Notable> n = r.notablesOf(C1);
            assertEquals(1, n.size());
            assertEquals("bob", n.get(0).fields().get("User"));
            assertEquals(ctime(T0 + 10 * MIN), n.get(0).fields().get("firstTime"), "timed at the window end");
            assertEquals(1L, n.get(0).fields().get("count"));
            assertFalse(n.get(0).late());
        }
    }

    @Test
    void ltIsJudgedOnTheWallClockOfALiveSession() throws Exception {
        Compiled c = compile(rule(A, "whoami_rule", "whoami"), countCorrelation(C1, "whoami_rule", "lt: 3", "10m"));
        AtomicLong clock = new AtomicLong(T0 + 1000);
        try (DetectionSession s = new DetectionSession(c.rules(), clock::get, LATENESS)) {
            s.insert(ev(T0, "bob", "whoami"));
            s.fire();
            clock.set(T0 + 15 * MIN);
            s.fire();
            assertEquals(0L, s.detections().matchCounts().get(C1));
            clock.set(T0 + 15 * MIN + 1);
            s.fire();
            assertEquals(1L, s.detections().matchCounts().get(C1), "no event at all, only time passing");
        }
    }

    @Test
    void lteFiresAtTheEndOfTheInput() throws Exception {
        // lte: "The count must be lesser than or equal the given value". bob: 2 <= 2; eve: 3 > 2.
        Compiled c = compile(rule(A, "whoami_rule", "whoami"), countCorrelation(C1, "whoami_rule", "lte: 2", "10m"));
        try (Replay r = new Replay(c)) {
            r.feed(ev(T0, "bob", "whoami"), ev(T0 + MIN, "bob", "whoami"),
                    ev(T0, "eve", "whoami"), ev(T0 + MIN, "eve", "whoami"), ev(T0 + 2 * MIN, "eve", "whoami"));
            assertEquals(0, r.matches(C1), "both windows open when the input ends");
            r.flush();
            assertEquals(1, r.matches(C1), "flush judges every open window");
            List<Notable> n = r.notablesOf(C1);
            assertEquals(1, n.size());
            assertEquals("bob", n.get(0).fields().get("User"));
            assertEquals(ctime(T0 + 10 * MIN), n.get(0).fields().get("lastTime"));
            assertFalse(n.get(0).late(), "the end of the input is not lateness");
        }
    }

    @Test
    void closeOfTheEngineIsAFlushToo() throws Exception {
        Compiled c = compile(rule(A, "whoami_rule", "whoami"), countCorrelation(C1, "whoami_rule", "lt: 2", "1h"));
        List<Notable> notables = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (io.procwatch.engine.ProcwatchEngine engine = io.procwatch.engine.ProcwatchEngine.builder()
                .rules(c.rules()).clock(io.procwatch.engine.EngineClock.eventTime()).lateness(LATENESS)
                .onNotable(notables::add).build()) {
            engine.submit(ev(T0, "bob", "whoami"));
        }
        assertEquals(1, notables.stream().filter(n -> n.ruleId().equals(C1)).count(), "judged when the engine closes");
    }

    @Test
    void ltAndLteDoNotFireWhenTheCountReachesTheBound() throws Exception {
        String lt = countCorrelation(C1, "whoami_rule", "lt: 2", "10m");
        String lte = countCorrelation(C2, "whoami_rule", "lte: 2", "10m");
        Compiled c = compile(rule(A, "whoami_rule", "whoami"), lt, lte);
        try (Replay r = new Replay(c)) {
            r.feed(
                    // bob: 2 in one window (its end T0 + 10m is inside): lt 2 no, lte 2 yes.
                    ev(T0, "bob", "whoami"), ev(T0 + 10 * MIN, "bob", "whoami"),
                    // eve: 3 in one window: neither.
                    ev(T0, "eve", "whoami"), ev(T0 + MIN, "eve", "whoami"), ev(T0 + 2 * MIN, "eve", "whoami"),
                    // carl: 1 ms after the end the second match opens a new window: two windows of 1, both fire.
                    ev(T0, "carl", "whoami"), ev(T0 + 10 * MIN + 1, "carl", "whoami"),
                    tick(T0 + 16 * MIN));
            assertEquals(1, r.matches(C1), "carl's first window, judged by the watermark");
            assertEquals(2, r.matches(C2), "bob's and carl's first windows");
            r.flush();
            assertEquals(2, r.matches(C1), "carl twice; bob and eve reached the bound");
            assertEquals(3, r.matches(C2), "bob once, carl twice; eve passed the bound");
            assertEquals(List.of("carl"), r.notablesOf(C1).stream().map(n -> n.fields().get("User")).toList());
            assertEquals(2, r.inNotables(C1), "carl's two windows end in the same notable window");
        }
    }

    @Test
    void aRangeNeedsEveryCriterionAndIsJudgedAtTheWindowEnd() throws Exception {
        // "To define a range, you can use the conjunction 'AND' in the mapping. Example "101 to 200":
        // condition: {gt: 100, lte: 200}". Here 2 to 3 in 10 minutes.
        Compiled c = compile(rule(A, "whoami_rule", "whoami"), countCorrelation(C1, "whoami_rule", "gt: 1, lte: 3", "10m"));
        try (Replay r = new Replay(c)) {
            for (String user : List.of("bob", "eve", "eve", "carl", "carl", "carl", "dan", "dan", "dan", "dan")) {
                r.feed(ev(T0 + r.session.insertedCount(), user, "whoami"));
            }
            assertEquals(0, r.matches(C1), "an upper bound waits for the window end, even once gt 1 holds");
            r.flush();
            assertEquals(List.of("carl", "eve"), r.notablesOf(C1).stream().map(n -> n.fields().get("User")).sorted().toList(),
                    "bob has 1 (not > 1), dan 4 (not <= 3)");
        }
    }

    @Test
    void theOldTailWindowIsNoLongerLost() throws Exception {
        // Before: an lt window was judged only when a later match of the correlation arrived after it.
        Compiled c = compile(rule(A, "whoami_rule", "whoami"), countCorrelation(C1, "whoami_rule", "lt: 2", "1m"));
        try (Replay r = new Replay(c)) {
            r.feed(ev(T0, "zed", "whoami")).flush();
            assertEquals(1, r.matches(C1));
        }
    }

    // ------------------------------------------------------------------ eq

    // eq: "The count must be equal the given value", the count being, for event_count, "the event count that must
    // appear within the given time frame" and, for value_count, "the count of distinct values contained in the
    // field". A count that has reached n may still go past it before the time frame is over, so eq is judged at
    // the window end like lt/lte: [first match, first match + timespan], both ends included.

    @Test
    void eqFiresWithExactlyNWhenTheWatermarkPassesTheWindowEnd() throws Exception {
        assertJudgedOnceJustPastTheWindowEnd("eq: 2", "2 reached, but a third match may still come within the window");
    }

    @Test
    void eqDoesNotFireWhenTheCountGoesPastN() throws Exception {
        Compiled c = compile(rule(A, "whoami_rule", "whoami"), countCorrelation(C1, "whoami_rule", "eq: 2", "10m"));
        try (Replay r = new Replay(c)) {
            r.feed(
                    // eve: 2, then a third within the window: 3 is not 2.
                    ev(T0, "eve", "whoami"), ev(T0 + MIN, "eve", "whoami"), ev(T0 + 9 * MIN, "eve", "whoami"),
                    // dan: 4.
                    ev(T0, "dan", "whoami"), ev(T0 + MIN, "dan", "whoami"), ev(T0 + 2 * MIN, "dan", "whoami"),
                    ev(T0 + 3 * MIN, "dan", "whoami"),
                    // carl: 2 in his first window; his third match is after its end and opens a window of 1.
                    ev(T0, "carl", "whoami"), ev(T0 + MIN, "carl", "whoami"), ev(T0 + 11 * MIN, "carl", "whoami"))
                    .flush();
            assertEquals(List.of("carl"), r.notablesOf(C1).stream().map(n -> n.fields().get("User")).toList());
            assertEquals(1, r.matches(C1), "carl's first window only");
        }
    }

    @Test
    void valueCountEqCountsDistinctValues() throws Exception {
        String values = correlation(C1, "  type: value_count\n  rules: [whoami_rule]\n  group-by: [User]\n"
                + "  timespan: 10m\n  condition: {field: CommandLine, eq: 2}\n");
        Compiled c = compile(rule(A, "whoami_rule", "whoami"), values);
        try (Replay r = new Replay(c)) {
            r.feed(
                    // bob: 3 events, 2 distinct command lines: fires.
                    ev(T0, "bob", "whoami /a"), ev(T0 + MIN, "bob", "whoami /a"), ev(T0 + 2 * MIN, "bob", "whoami /b"),
                    // eve: 2 distinct, then a third value: 3 is not 2.
                    ev(T0, "eve", "whoami /a"), ev(T0 + MIN, "eve", "whoami /b"), ev(T0 + 2 * MIN, "eve", "whoami /c"),
                    // dan: 2 events, 1 distinct value.
                    ev(T0, "dan", "whoami /a"), ev(T0 + MIN, "dan", "whoami /a"));
            assertEquals(0, r.matches(C1), "windows open");
            r.flush();
            assertEquals(List.of("bob"), r.notablesOf(C1).stream().map(n -> n.fields().get("User")).toList());
            assertEquals(ctime(T0 + 10 * MIN), r.notablesOf(C1).get(0).fields().get("lastTime"));
        }
    }

    @Test
    void eqWindowIncludesAMatchExactlyAtItsEnd() throws Exception {
        String eq2 = countCorrelation(C1, "whoami_rule", "eq: 2", "10m");
        String eq1 = countCorrelation(C2, "whoami_rule", "eq: 1", "10m");
        Compiled c = compile(rule(A, "whoami_rule", "whoami"), eq2, eq1);
        try (Replay r = new Replay(c)) {
            r.feed(
                    // bob: the second match at the window end (T0 + 10m) is inside it: one window of 2.
                    ev(T0, "bob", "whoami"), ev(T0 + 10 * MIN, "bob", "whoami"),
                    // carl: 1 ms after the end the second match opens a new window: two windows of 1.
                    ev(T0, "carl", "whoami"), ev(T0 + 10 * MIN + 1, "carl", "whoami"),
                    tick(T0 + 15 * MIN + 1));
            assertEquals(1, r.matches(C1), "bob's window, judged by the watermark");
            assertEquals(1, r.matches(C2), "carl's first window; his second ends at T0 + 20m + 1 ms");
            r.flush();
            assertEquals(List.of("bob"), r.notablesOf(C1).stream().map(n -> n.fields().get("User")).toList());
            assertEquals(2, r.matches(C2), "carl twice, bob never (2 is not 1)");
            assertEquals(List.of("carl"), r.notablesOf(C2).stream().map(n -> n.fields().get("User")).toList());
        }
    }

    @Test
    void eqWindowsStillOpenAreJudgedAtFlush() throws Exception {
        Compiled c = compile(rule(A, "whoami_rule", "whoami"), countCorrelation(C1, "whoami_rule", "eq: 2", "1h"));
        try (Replay r = new Replay(c)) {
            r.feed(ev(T0, "bob", "whoami"), ev(T0 + MIN, "bob", "whoami"),
                    ev(T0, "eve", "whoami"), ev(T0 + MIN, "eve", "whoami"), ev(T0 + 2 * MIN, "eve", "whoami"),
                    ev(T0 + 2 * MIN, "dan", "whoami"), tick(T0 + 30 * MIN));
            assertEquals(0, r.matches(C1), "every window open when the input ends");
            r.flush();
            assertEquals(1, r.matches(C1), "bob: 2; eve: 3; dan: 1");
            List<Notable> n = r.notablesOf(C1);
            assertEquals(List.of("bob"), n.stream().map(x -> x.fields().get("User")).toList());
            assertEquals(ctime(T0 + 60 * MIN), n.get(0).fields().get("lastTime"));
            assertFalse(n.get(0).late(), "the end of the input is not lateness");
        }
    }

    @Test
    void temporalEqIsStillCheckedOnEachMatch() throws Exception {
        // temporal/temporal_ordered count "different event types (Sigma rules matching)"; eq is left as it was.
        String any = correlation(C1, "  type: temporal\n  rules: [whoami_rule, net_rule]\n  group-by: [User]\n"
                + "  timespan: 5m\n  condition: {eq: 2}\n");
        String ordered = correlation(C2, "  type: temporal_ordered\n  rules: [whoami_rule, net_rule]\n"
                + "  group-by: [User]\n  timespan: 5m\n  condition: {eq: 2}\n");
        Compiled c = compile(rule(A, "whoami_rule", "whoami"), rule(B, "net_rule", "net user"), any, ordered);
        try (Replay r = new Replay(c)) {
            r.feed(ev(T0, "bob", "whoami"), ev(T0 + MIN, "bob", "net user"));
            assertEquals(1, r.matches(C1), "fired at the second match, no window end awaited");
            assertEquals(1, r.matches(C2));
            r.flush();
            assertEquals(1, r.matches(C1));
            assertEquals(1, r.matches(C2));
        }
        assertTrue(c.drl().values().stream().noneMatch(d -> d.contains("end < $now")), "no window-end rules");
        assertTrue(c.drl().values().stream().filter(d -> d.contains("@sigmaCorrelation(")).allMatch(d -> d.contains(
                "CorrelationWindow.sliding(")), "sliding windows");
    }

    @Test
    void aCorrelationConvertedByAnOlderProcwatchIsACompileErrorAtItsFile() throws Exception {
        // Before, correlation state was a Java SigmaCorrelations.State fact; that class is gone, so a folder
        // converted by an older procwatch fails to compile, naming the file, instead of running with stale state.
        Map<Path, String> all = new LinkedHashMap<>(SigmaTestSupport.baseDrl());
        all.put(Path.of("sigma", "old_correlation.drl"), """
                package io.procwatch.rules;

                import io.procwatch.detect.Match;
                import io.procwatch.sigma.SigmaCorrelations;

                rule "Sigma correlation: old"
                    salience 50  // Phase.CORRELATE
                when
                    $s : SigmaCorrelations.State()
                    $m : Match( suppressedBy == null )
                then
                end
                """);
        Exception e = org.junit.jupiter.api.Assertions.assertThrows(Exception.class, () -> RuleSet.compile(all, "test"));
        assertTrue(String.valueOf(e.getMessage()).contains("old_correlation.drl"), String.valueOf(e.getMessage()));
    }

    // ------------------------------------------------------------------ generate

    static String withGenerate(String correlation, String generate) {
        return generate == null ? correlation : correlation + "generate: " + generate + "\n";
    }

    @Test
    void generateDecidesWhetherTheNamedRulesRaiseTheirOwnNotables() throws Exception {
        for (String generate : new String[]{null, "false", "true"}) {
            String corr = withGenerate(countCorrelation(C1, "whoami_rule", "gte: 2", "10m"), generate);
            Compiled c = compile(rule(A, "whoami_rule", "whoami"), rule(B, "net_rule", "net user"), corr);
            try (Replay r = new Replay(c)) {
                r.feed(ev(T0, "bob", "whoami"), ev(T0 + MIN, "bob", "whoami"), ev(T0 + MIN, "bob", "net user")).flush();
                String what = "generate: " + generate;
                assertEquals(2, r.matches(A), what + ": the base rule still matches");
                assertEquals(1, r.notablesOf(C1).size(), what + ": its matches fed the correlation");
                assertEquals("true".equals(generate) ? 2 : 0, r.inNotables(A), what + ": base rule's own notables");
                assertEquals(1, r.notablesOf(B).size(), what + ": a rule no correlation names is unaffected");
                assertEquals("true".equals(generate) ? Map.of() : Map.of(A, List.of(C1)), c.report().withoutOwnNotables());
            }
        }
    }

    @Test
    void twoCorrelationsShareABaseRule() throws Exception {
        String count = countCorrelation(C1, "whoami_rule", "gte: 2", "10m");
        String values = correlation(C2, "  type: value_count\n  rules: [" + A + "]\n  group-by: [User]\n  timespan: 10m\n"
                + "  condition: {field: CommandLine, lt: 5}\n");
        for (String generate : new String[]{null, "true"}) {
            Compiled c = compile(rule(A, "whoami_rule", "whoami"), count, withGenerate(values, generate));
            try (Replay r = new Replay(c)) {
                r.feed(ev(T0, "bob", "whoami /a"), ev(T0 + MIN, "bob", "whoami /b")).flush();
                assertEquals(1, r.notablesOf(C1).size(), "the same matches feed both correlations");
                assertEquals(1, r.notablesOf(C2).size());
                // Either correlation's generate: true asks for the stand-alone rule; without it both keep it off.
                assertEquals(generate == null ? 0 : 2, r.inNotables(A));
                assertEquals(generate == null ? Map.of(A, List.of(C1, C2)) : Map.of(), c.report().withoutOwnNotables());
            }
        }
    }

    @Test
    void filtersStillApplyToABaseRuleWithoutNotables() throws Exception {
        String filter = "title: admins are fine\nid: " + F1 + "\n"
                + "logsource: {category: process_creation, product: windows}\n"
                + "filter:\n  rules: [whoami_rule]\n  selection:\n    User|startswith: 'adm_'\n  condition: not selection\n";
        String corr = correlation(C1, "  type: event_count\n  rules: [whoami_rule]\n  group-by: [Image]\n"
                + "  timespan: 10m\n  condition: {gte: 2}\n");
        Compiled c = compile(rule(A, "whoami_rule", "whoami"), filter, corr);
        try (Replay r = new Replay(c)) {
            r.feed(ev(T0, "adm_joe", "whoami"), ev(T0 + 1, "bob", "whoami"), ev(T0 + 2, "adm_x", "whoami"),
                    ev(T0 + 3, "carl", "whoami")).flush();
            assertEquals(2, r.suppressed(A));
            // Unfiltered, the 2nd and 4th match would each complete a count of 2; filtered, only bob and carl count.
            assertEquals(1, r.matches(C1));
            assertEquals(0, r.notablesOf(A).size());
        }
    }

    @Test
    void chainedCorrelationsJudgedAtTheEndOfTheInput() throws Exception {
        // "Refers to one or multiple Sigma or Correlations rules. Allowing the user to chain multiple correlations
        // together." c1's matches are raised during the flush; c2's windows they open are judged in that flush too.
        String c1 = countCorrelation(C1, "whoami_rule", "lt: 2", "1m").replace("level: critical\n", "level: low\nname: c1\n");
        String c2 = countCorrelation(C2, "c1", "lte: 1", "2m");
        Compiled c = compile(rule(A, "whoami_rule", "whoami"), c1, c2);
        try (Replay r = new Replay(c)) {
            r.feed(ev(T0, "bob", "whoami"), ev(T0 + 5 * MIN, "bob", "whoami")).flush();
            assertEquals(2, r.matches(C1));
            assertEquals(2, r.matches(C2));
            assertEquals(0, r.notablesOf(A).size());
            assertEquals(0, r.notablesOf(C1).size(), "c1 is named by c2 without generate: true");
            assertEquals(2, r.inNotables(C2));
        }
    }

    @Test
    void theReportAndTheDrlSayWhichRulesLostTheirOwnNotables() throws Exception {
        Compiled off = compile(rule(A, "whoami_rule", "whoami"), rule(B, "net_rule", "net user"),
                countCorrelation(C1, "whoami_rule", "gte: 2", "10m"));
        String text = off.report().toText();
        assertTrue(text.contains("1 rule raises no notables of their own"), text);
        assertTrue(text.contains("no own notables " + A + " (rule whoami_rule): correlation " + C1), text);
        assertFalse(text.contains("no own notables " + B), text);
        String generateDrl = off.drl().get(Path.of("sigma", SigmaRules.CORRELATION_GENERATE_FILE));
        assertTrue(generateDrl.contains(A + ": named by correlation " + C1), generateDrl);
        assertFalse(generateDrl.contains(B), generateDrl);
        String corrDrl = off.drl().entrySet().stream().filter(e -> e.getValue().contains("@sigmaCorrelation"))
                .findFirst().orElseThrow().getValue();
        assertTrue(corrDrl.contains("// generate: false (the default)"), corrDrl);

        Compiled on = compile(rule(A, "whoami_rule", "whoami"),
                withGenerate(countCorrelation(C1, "whoami_rule", "gte: 2", "10m"), "true"));
        assertFalse(on.report().toText().contains("no own notables"));
        assertFalse(on.drl().containsKey(Path.of("sigma", SigmaRules.CORRELATION_GENERATE_FILE)));
    }

    @Test
    void generateMustBeABoolean() throws Exception {
        Path d = Files.createTempDirectory(dir, "rules");
        Files.writeString(d.resolve("a.yml"), rule(A, "whoami_rule", "whoami"));
        Files.writeString(d.resolve("c.yml"), withGenerate(countCorrelation(C1, "whoami_rule", "gte: 2", "10m"), "maybe"));
        ConversionReport r = SigmaConverter.standard().convertAll(List.of(d));
        assertEquals(List.of("correlation generate"), r.failures().stream().map(ConversionReport.Failure::reason).toList());
        assertEquals(Map.of(), r.withoutOwnNotables(), "a correlation that is not converted turns nothing off");
    }
}
