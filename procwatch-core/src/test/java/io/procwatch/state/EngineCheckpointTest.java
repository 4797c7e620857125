package io.procwatch.state;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.procwatch.TestRules;
import io.procwatch.aggregate.Notable;
import io.procwatch.detect.RuleSet;
import io.procwatch.engine.EngineClock;
import io.procwatch.engine.ProcwatchEngine;
import io.procwatch.StreamEvents;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A checkpoint, encoded and decoded, continues detection in a new engine exactly where the old one stood: the
 * notables of the first engine up to the checkpoint plus those of the restored one equal one engine's notables.
 */
class EngineCheckpointTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void restoredEngineContinuesWhereTheCheckpointStood() throws Exception {
        RuleSet rules = TestRules.rulesDrl();
        List<String> lines = StreamEvents.lines(1500, 8, 7, 10);
        List<String> whole = run(rules, null, lines, 0, lines.size(), true);

        for (int cut : new int[]{1, 400, 777, 1200}) {
            List<Notable> first = new CopyOnWriteArrayList<>();
            DetectionState s;
            try (ProcwatchEngine e = ProcwatchEngine.builder().rules(rules).clock(EngineClock.eventTime())
                    .onNotable(first::add).build()) {
                for (String l : lines.subList(0, cut)) {
                    e.submitText(l);
                }
                s = e.checkpoint();
                assertEquals(cut, e.metrics().processed());
            }   // close() flushes; those notables are not part of the checkpoint's run
            int before = first.size();
            StateCodec codec = new StateCodec();
            DetectionState back = codec.decode(codec.encode(s));
            assertEquals(s, back, "a state survives encoding");
            List<String> got = new ArrayList<>();
            for (Notable n : first.subList(0, countBefore(first, s))) {
                got.add(JSON.writeValueAsString(n.fields()));
            }
            got.addAll(run(rules, back, lines, cut, lines.size(), true));
            assertEquals(whole, got, "cut at event " + cut + " (" + before + " notables before the flush)");
        }
    }

    @Test
    void closingOpenWindowsMakesLaterEventsOfThemLate() throws Exception {
        RuleSet rules = TestRules.rulesDrl();
        List<String> lines = StreamEvents.lines(300, 3, 7, 5);
        List<Notable> out = new CopyOnWriteArrayList<>();
        try (ProcwatchEngine e = ProcwatchEngine.builder().rules(rules).clock(EngineClock.eventTime())
                .onNotable(out::add).build()) {
            for (String l : lines.subList(0, 200)) {
                e.submitText(l);
            }
            e.tick();
            int closedByTime = out.size();
            long open = e.metrics().openGroups();
            assertTrue(open > 0);
            e.closeOpenWindows();
            assertEquals(closedByTime + open, out.size(), "every open window closed");
            assertEquals(0, e.metrics().openGroups());
            assertTrue(out.stream().noneMatch(Notable::late));
            e.submitText(lines.get(200));
            e.flush();
        }
        // The events right after the close belong to windows already emitted: late, not reopening them.
        assertTrue(out.stream().filter(Notable::late).count() <= 1);
    }

    /** How many of the first engine's notables came before the checkpoint (the rest came from close()'s flush). */
    private static int countBefore(List<Notable> first, DetectionState s) {
        return (int) (long) s.counters().get("notables");
    }

    private static List<String> run(RuleSet rules, DetectionState from, List<String> lines, int start, int end,
                                    boolean flush) throws Exception {
        List<Notable> out = new CopyOnWriteArrayList<>();
        try (ProcwatchEngine e = ProcwatchEngine.builder().rules(rules).clock(EngineClock.eventTime())
                .restore(from).onNotable(out::add).build()) {
            for (String l : lines.subList(start, end)) {
                e.submitText(l);
            }
            if (flush) {
                e.flush();
            }
        }
        List<String> json = new ArrayList<>();
        for (Notable n : out) {
            json.add(JSON.writeValueAsString(n.fields()));
        }
        return json;
    }
}
