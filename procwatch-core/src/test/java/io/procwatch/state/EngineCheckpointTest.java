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
                    e.tick();   // one firing per event, as in run(): emission order must not depend on batching
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
            // Risk incidents are notables too (raised by the risk events of closed windows); count the detections'.
            java.util.Set<String> incidentRules = new java.util.HashSet<>();
            rules.catalog().incidentRules().forEach(r -> incidentRules.add(r.id()));
            java.util.function.Supplier<Long> detectionNotables =
                    () -> out.stream().filter(n -> !incidentRules.contains(n.ruleId())).count();
            long closedByTime = detectionNotables.get();
            long open = e.metrics().openGroups();
            assertTrue(open > 0);
            e.closeOpenWindows();
            assertEquals(closedByTime + open, (long) detectionNotables.get(), "every open window closed");
            assertEquals(0, e.metrics().openGroups());
            assertTrue(out.stream().noneMatch(Notable::late));
            e.submitText(lines.get(200));
            e.flush();
        }
        // The events right after the close belong to windows already emitted: late, not reopening them.
        assertTrue(out.stream().filter(Notable::late).count() <= 1);
    }

    @Test
    void aStateTakenUnderOtherRulesIsRestoredLikeAReload(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        // The same rules, except that the Splunk detection's risk score changed: its open groups are emitted at
        // once (as on a reload), the Sigma detection's groups carry on.
        java.nio.file.Path rulesDir = dir.resolve("rules");
        try (var files = java.nio.file.Files.list(java.nio.file.Path.of("rules-drl"))) {
            java.nio.file.Files.createDirectories(rulesDir);
            for (java.nio.file.Path f : files.filter(f -> f.toString().endsWith(".drl")).toList()) {
                String text = java.nio.file.Files.readString(f);
                if (f.getFileName().toString().equals("windows_suspicious_qemu_execution.drl")) {
                    text = text.replace("@riskScore( 50 )", "@riskScore( 70 )");
                }
                java.nio.file.Files.writeString(rulesDir.resolve(f.getFileName()), text);
            }
        }
        RuleSet changed = RuleSet.fromDirectory(rulesDir);
        List<String> lines = StreamEvents.lines(400, 4, 7, 6);
        DetectionState s;
        try (ProcwatchEngine e = ProcwatchEngine.builder().rules(TestRules.rulesDrl()).clock(EngineClock.eventTime())
                .build()) {
            lines.subList(0, 300).forEach(e::submitText);
            s = e.checkpoint();
        }
        String splunk = "c4c0a2d4-0675-4fde-97b7-115145ba257c";
        long splunkOpen = s.groups().stream().filter(g -> g.ruleId().equals(splunk)).count();
        long sigmaOpen = s.groups().size() - splunkOpen;
        assertTrue(splunkOpen > 0 && sigmaOpen > 0, s.groups().toString());
        List<Notable> atRestore = new CopyOnWriteArrayList<>();
        try (ProcwatchEngine e = ProcwatchEngine.builder().rules(changed).clock(EngineClock.eventTime()).restore(s)
                .onNotable(atRestore::add).build()) {
            assertEquals(splunkOpen, atRestore.size(), "the changed detection's open groups are emitted at once");
            assertTrue(atRestore.stream().allMatch(n -> n.ruleId().equals(splunk)));
            assertEquals(sigmaOpen, e.metrics().openGroups(), "the unchanged detection's groups carry on");
        }
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
                // One firing per event: how the session thread batches queued events depends on thread timing,
                // and with it the order in which incident and detection notables of one step come out.
                e.tick();
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
