package io.procwatch.engine;

import io.procwatch.aggregate.Notable;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs the example of docs/embedding.md (and of the README, when it carries the block) exactly as written: the
 * code between the BEGIN/END markers below must be the documented code, character for character, so the
 * documentation cannot drift from what works.
 */
class EmbeddingExampleTest {

    @Test
    void documentedExampleRuns() throws Exception {
        // BEGIN embedding example
        List<Notable> notables = new CopyOnWriteArrayList<>();
        try (ProcwatchEngine engine = ProcwatchEngine.builder()
                .bundledRules()                          // or .rulesDirectory(Path.of("rules-drl"))
                .clock(EngineClock.eventTime())          // replay; EngineClock.wall() for live
                .lateness(Duration.ofMinutes(10))
                .queueCapacity(10_000)
                .onNotable(notables::add)                // called as each window closes
                .build()) {

            // Raw text: Windows event XML, JSON lines, a JSON array, Winlogbeat or evtx_dump JSON.
            EventBatch xml = engine.submitText(Files.readString(Path.of("examples/01-sysmon-qemu.xml")));
            System.out.println(xml.accepted() + " process events, " + xml.other() + " other, "
                    + xml.rejected() + " rejected");

            // One event as Windows field names (a Security 4688 here).
            engine.submit(Map.of(
                    "EventID", "4688",
                    "Channel", "Security",
                    "Computer", "WKS-HR-03.corp.example",
                    "SystemTime", "2024-03-04T12:20:31.250Z",
                    "SubjectUserName", "asmith",
                    "SubjectDomainName", "CORP",
                    "NewProcessName", "C:\\Users\\asmith\\AppData\\Local\\Temp\\q\\qemu-system-i386.exe",
                    "CommandLine", "qemu-system-i386.exe -m 1M -netdev user,id=lan,restrict=off"
                            + " -netdev socket,id=sock,connect=198.51.100.23:443 -nographic",
                    "ParentProcessName", "C:\\Windows\\System32\\cmd.exe"));

            engine.flush();                              // end of input: close every open window
            System.out.println(engine.metrics());
        }                                                // close(): drains the queue, flushes, stops
        notables.forEach(n -> System.out.println(n.fields().get("rule_title") + " on "
                + n.fields().get("risk_object") + ": count " + n.fields().get("count")));
        // END embedding example

        assertEquals(4, notables.size(), notables.toString());
        Map<String, Object> first = notables.get(0).fields();
        assertEquals("Potentially Suspicious Usage Of Qemu", first.get("rule_title"));
        assertEquals("WKS-FIN-07", first.get("risk_object"));
        assertEquals(2L, ((Number) first.get("count")).longValue());
        assertEquals("2024-03-04T10:50:00Z", first.get("window_start"));
        Map<String, Object> last = notables.stream().map(Notable::fields)
                .filter(f -> "WKS-HR-03.corp.example".equals(f.get("risk_object"))).findFirst().orElseThrow();
        assertEquals("5fc297ae-25b6-488a-8f25-cc12ac29b744", last.get("rule_id"));
        assertEquals("WKS-HR-03.corp.example", last.get("risk_object"));
        assertEquals("CORP\\asmith", last.get("user"));
    }

    @Test
    void documentationShowsExactlyThisCode() throws Exception {
        String example = block(Files.readString(Path.of("procwatch-core/src/test/java/io/procwatch/engine/EmbeddingExampleTest.java")));
        assertTrue(example.contains("ProcwatchEngine.builder()"));
        String docs = Files.readString(Path.of("docs/embedding.md"));
        assertTrue(docs.contains(example), "docs/embedding.md must contain the example of EmbeddingExampleTest verbatim:\n" + example);
        Path readme = Path.of("README.md");
        if (Files.exists(readme) && Files.readString(readme).contains("ProcwatchEngine.builder()")) {
            assertTrue(Files.readString(readme).contains(example), "README.md's embedding example differs from EmbeddingExampleTest");
        }
    }

    /** The lines between the markers, de-indented to the first line's indentation. */
    static String block(String source) {
        List<String> lines = source.lines().toList();
        int from = -1;
        int to = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).strip().equals("// BEGIN embedding example")) {
                from = i + 1;
            } else if (lines.get(i).strip().equals("// END embedding example")) {
                to = i;
            }
        }
        List<String> body = lines.subList(from, to);
        int indent = body.get(0).length() - body.get(0).stripLeading().length();
        StringBuilder sb = new StringBuilder();
        for (String l : body) {
            sb.append(l.length() >= indent ? l.substring(indent) : l.strip()).append('\n');
        }
        return sb.toString();
    }
}
