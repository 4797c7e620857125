package io.procwatch.sigma;

import io.procwatch.TestScan;
import io.procwatch.aggregate.Notable;
import io.procwatch.detect.RuleSet;
import io.procwatch.engine.EventBatch;
import io.procwatch.engine.ProcwatchEngine;
import io.procwatch.normalize.ProcessEvent;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The prefilter's search done ahead, on the reading or submitting thread ({@code DetectionSession.prepare}), gives
 * exactly what the search on the session thread gives: same candidates, matches and notables.
 */
class SigmaPrepareTest {

    private static final String HEAD = "logsource: {category: process_creation, product: windows}\nlevel: high\n";
    private static final String[] RULES = {
        "title: QEMU headless\nid: 6c0f6a3e-0000-4d7e-9a0b-000000000001\n" + HEAD
                + "detection:\n  sel:\n    CommandLine|contains|all: ['-nographic', 'qemu']\n  condition: sel\n",
        "title: QEMU port forward keyword\nid: 6c0f6a3e-0000-4d7e-9a0b-000000000002\n" + HEAD
                + "detection:\n  kw:\n    - 'hostfwd='\n  condition: kw\n",
        "title: QEMU user network regex\nid: 6c0f6a3e-0000-4d7e-9a0b-000000000003\n" + HEAD
                + "detection:\n  sel:\n    CommandLine|re|i: '-netdev\\s+user'\n  condition: sel\n",
        "title: Not a browser\nid: 6c0f6a3e-0000-4d7e-9a0b-000000000004\n" + HEAD
                + "detection:\n  sel:\n    Image|endswith: '.exe'\n  filter:\n    Image|contains: 'chrome'\n"
                + "  condition: sel and not filter\n",
    };

    @TempDir
    static Path dir;
    static RuleSet rules;
    static List<ProcessEvent> events;

    @BeforeAll
    static void compile() throws Exception {
        for (int i = 0; i < RULES.length; i++) {
            Files.writeString(dir.resolve("rule" + i + ".yml"), RULES[i]);
        }
        StringWriter err = new StringWriter();
        rules = SigmaRules.withDrl(null, List.of(dir), new PrintWriter(err));
        assertTrue(err.toString().isEmpty(), err.toString());
        events = SigmaTestSupport.events(List.of(Path.of("examples"), Path.of("rules-drl/tests/events")));
        assertTrue(events.size() > 40, "events: " + events.size());
    }

    private static List<String> ruleIds(List<SigmaCandidate> cs) {
        return cs.stream().map(SigmaCandidate::getRule).sorted().toList();
    }

    @Test
    void preparedCandidatesAreTheCandidatesAndAreTakenOnce() {
        SigmaPrefilter pf = SigmaRuntime.of(rules).prefilter();
        // The keyword rule has no guard: it is written on the event itself and gets no candidates.
        assertEquals(RULES.length - 1, pf.ruleCount());
        assertEquals(List.of("6c0f6a3e-0000-4d7e-9a0b-000000000002"), pf.unguardedRules());
        int withCandidates = 0;
        for (ProcessEvent e : events) {
            ProcessEvent ahead = e.withTime(e.getTime());
            pf.prepare(ahead);
            List<String> want = ruleIds(pf.candidates(e.withTime(e.getTime())));
            assertEquals(want, ruleIds(pf.candidates(ahead)), String.valueOf(e));
            assertEquals(want, ruleIds(pf.candidates(ahead)), "searched again once taken");
            withCandidates += want.isEmpty() ? 0 : 1;
        }
        assertTrue(withCandidates > 10, "events with candidates: " + withCandidates);
    }

    @Test
    void anEventPreparedForOtherRulesIsSearchedAgain() throws Exception {
        Path only = Files.createDirectories(dir.resolve("only-first"));
        Files.writeString(only.resolve("rule0.yml"), RULES[0]);
        RuleSet first = SigmaRules.withDrl(null, List.of(only), new PrintWriter(new StringWriter()));
        List<ProcessEvent> preparedForFirst = new ArrayList<>();
        for (ProcessEvent e : events) {
            ProcessEvent c = e.withTime(e.getTime());
            SigmaRuntime.of(first).prefilter().prepare(c);
            preparedForFirst.add(c);
        }
        Map<String, Long> want = SigmaTestSupport.run(rules, copies(events)).matchCounts();
        assertEquals(want, SigmaTestSupport.run(rules, preparedForFirst).matchCounts());
        assertTrue(want.values().stream().filter(n -> n > 0).count() >= 3, "rules that matched: " + want);
    }

    @Test
    void theEngineWhichPreparesOnTheSubmittingThreadGivesTheSessionsNotables() throws Exception {
        // In time order: then when the engine fires (after each drained part of the batch) does not matter.
        List<ProcessEvent> inOrder = events.stream().sorted(java.util.Comparator.comparingLong(ProcessEvent::getTime))
                .toList();
        List<Notable> want = new ArrayList<>(SigmaTestSupport.run(rules, copies(inOrder)).notables());
        List<Notable> got = new CopyOnWriteArrayList<>();
        try (ProcwatchEngine engine = ProcwatchEngine.builder().rules(rules).lateness(Duration.ofMinutes(5))
                .onNotable(got::add).build()) {
            List<ProcessEvent> batch = copies(inOrder);
            engine.submit(new EventBatch(batch, batch.size(), 0, List.of()));
            engine.flush();
        }
        assertFalse(want.isEmpty());
        assertEquals(fields(want), fields(got));
    }

    @Test
    void aScanWhoseReaderPreparesGivesTheSessionsNotables() throws Exception {
        List<Path> inputs = List.of(Path.of("examples"));
        List<Notable> got = new ArrayList<>();
        TestScan.scan(rules, inputs, got);
        List<Notable> want = SigmaTestSupport.run(rules, SigmaTestSupport.events(inputs)).notables();
        assertFalse(want.isEmpty());
        assertEquals(fields(want), fields(got));
    }

    /** An event holding the needles of 100 rules, each twice: every rule a candidate exactly once. */
    @Test
    void anEventWithManyCandidatesGetsEachRuleOnce() throws Exception {
        Path many = Files.createDirectories(dir.resolve("many"));
        StringBuilder cmd = new StringBuilder("tool.exe");
        for (int i = 0; i < 100; i++) {
            Files.writeString(many.resolve("r" + i + ".yml"), String.format("title: needle %d%nid: 6c0f6a3e-0000-4d7e-9a0b-%012d%n",
                    i, 1000 + i) + HEAD + "detection:\n  sel:\n    CommandLine|contains: '/opt" + i + "x'\n  condition: sel\n");
            cmd.append(" /opt").append(i).append('x');
        }
        cmd.append(cmd);
        RuleSet r = SigmaRules.withDrl(null, List.of(many), new PrintWriter(new StringWriter()));
        ProcessEvent e = SigmaSpecTest.ev("CommandLine", cmd.toString(), "Image", "c:\\tool.exe");
        List<String> ids = ruleIds(SigmaRuntime.of(r).prefilter().candidates(e));
        assertEquals(100, ids.size(), String.valueOf(ids));
        assertEquals(100, ids.stream().distinct().count());
    }

    /**
     * A guard of several clauses: the rule is a candidate only when every clause has a needle in the event, once
     * however many needles hit; past the short list (more than 64 rules hit) too.
     */
    @Test
    void aRuleIsACandidateOnlyWhenEveryGuardClauseHits() throws Exception {
        Path multi = Files.createDirectories(dir.resolve("multi"));
        StringBuilder all = new StringBuilder("tool.exe");
        for (int i = 0; i < 80; i++) {
            Files.writeString(multi.resolve("r" + i + ".yml"), String.format("title: clauses %d%nid: 6c0f6a3e-0000-4d7e-9a0b-%012d%n",
                    i, 2000 + i) + HEAD + "detection:\n  sel:\n    CommandLine|contains|all: ['/first" + i + "x', '/second" + i + "y']\n"
                    + "  condition: sel\n");
            all.append(" /first").append(i).append("x /second").append(i).append('y');
        }
        RuleSet r = SigmaRules.withDrl(null, List.of(multi), new PrintWriter(new StringWriter()));
        SigmaPrefilter pf = SigmaRuntime.of(r).prefilter();
        String guard = pf.guard("6c0f6a3e-0000-4d7e-9a0b-000000002007");
        assertEquals(2, SigmaGuard.parse(guard).size(), guard);
        assertEquals(List.of(), ruleIds(pf.candidates(SigmaSpecTest.ev("CommandLine", "tool.exe /first7x /first7x", "Image", "c:\\tool.exe"))),
                "one clause of two: not a candidate");
        assertEquals(List.of("6c0f6a3e-0000-4d7e-9a0b-000000002007"), ruleIds(pf.candidates(
                SigmaSpecTest.ev("CommandLine", "tool.exe /second7y /first7x /second7y /first8x", "Image", "c:\\tool.exe"))));
        List<String> ids = ruleIds(pf.candidates(SigmaSpecTest.ev("CommandLine", all + " " + all, "Image", "c:\\tool.exe")));
        assertEquals(80, ids.size(), String.valueOf(ids));
        assertEquals(80, ids.stream().distinct().count());
    }

    private static List<ProcessEvent> copies(List<ProcessEvent> es) {
        return es.stream().map(e -> e.withTime(e.getTime())).toList();
    }

    private static List<Map<String, Object>> fields(List<Notable> ns) {
        return ns.stream().sorted(Notable.ORDER).map(Notable::fields).toList();
    }
}
