package io.procwatch.intake;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.procwatch.TestRules;
import io.procwatch.aggregate.Notable;
import io.procwatch.engine.EngineMetrics;
import io.procwatch.engine.EventBatch;
import io.procwatch.engine.ProcwatchEngine;
import io.procwatch.engine.ScanOptions;
import io.procwatch.engine.ScanPipeline;
import io.procwatch.engine.ScanStats;
import io.procwatch.engine.EngineClock;
import io.procwatch.normalize.ProcessEvent;
import io.procwatch.read.InputListener;
import io.procwatch.read.Origin;
import io.procwatch.read.evtx.EvtxReader;
import io.procwatch.serve.ProcwatchServer;
import io.procwatch.serve.ServeConfig;
import io.procwatch.toolkit.EventPicker;
import io.procwatch.write.NotableWriter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every accepted input format through every entry point (scan, the engine's parse / submitText / submitStream,
 * serve's HTTP and HEC intake, explain's event picker, the benchmark's reader): the same events and the same counts.
 */
class OneIntakePathTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String CMD_QEMU = "qemu-system-i386.exe -m 1M -netdev user,id=lan,restrict=off -netdev socket,id=sock,"
            + "connect=203.0.113.45:443 -nographic \"C:\\q\\disk.img\"";

    /** One event as Windows names it: the System part and the EventData part. */
    record Ev(String channel, String provider, int id, String time, String computer, Map<String, String> data) {
    }

    static final List<Ev> EVENTS = List.of(
            new Ev("Microsoft-Windows-Sysmon/Operational", "Microsoft-Windows-Sysmon", 1, "2024-03-04T12:00:01.000Z",
                    "WKS-01", data("Image", "C:\\q\\qemu-system-i386.exe", "CommandLine", CMD_QEMU,
                    "Description", "QEMU machine emulators and tools", "Product", "QEMU", "User", "CORP\\jdoe",
                    "ParentImage", "C:\\Windows\\System32\\cmd.exe")),
            new Ev("Microsoft-Windows-Sysmon/Operational", "Microsoft-Windows-Sysmon", 3, "2024-03-04T12:00:02.000Z",
                    "WKS-01", data("Image", "C:\\Windows\\System32\\svchost.exe", "DestinationPort", "443")),
            new Ev("Security", "Microsoft-Windows-Security-Auditing", 4688, "2024-03-04T12:00:03.000Z", "WKS-02",
                    data("NewProcessName", "C:\\q\\qemu-system-x86_64.exe", "CommandLine", CMD_QEMU,
                            "SubjectUserName", "asmith", "SubjectDomainName", "CORP", "NewProcessId", "0x1f40",
                            "ProcessId", "0x13a4", "ParentProcessName", "C:\\Windows\\explorer.exe",
                            "MandatoryLabel", "S-1-16-8192")));

    static RuleSetHolder rules;

    /** Shares the compiled rules between the entry points. */
    record RuleSetHolder(io.procwatch.detect.RuleSet rules) {
    }

    @BeforeAll
    static void compile() {
        rules = new RuleSetHolder(TestRules.rulesDrl());
    }

    static Map<String, String> data(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    static String xml(Ev e, String sep) {
        StringBuilder b = new StringBuilder("<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'>")
                .append(sep).append("<System><Provider Name='").append(e.provider()).append("'/>").append(sep)
                .append("<EventID>").append(e.id()).append("</EventID>").append(sep)
                .append("<TimeCreated SystemTime='").append(e.time()).append("'/>").append(sep)
                .append("<Channel>").append(e.channel()).append("</Channel>").append(sep)
                .append("<Computer>").append(e.computer()).append("</Computer></System>").append(sep).append("<EventData>");
        e.data().forEach((k, v) -> b.append(sep).append("<Data Name='").append(k).append("'>").append(esc(v)).append("</Data>"));
        return b.append(sep).append("</EventData></Event>").toString();
    }

    static Map<String, Object> flat(Ev e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("EventID", e.id());
        m.put("Channel", e.channel());
        m.put("Provider", e.provider());
        m.put("Computer", e.computer());
        m.put("SystemTime", e.time());
        m.putAll(e.data());
        return m;
    }

    static Map<String, Object> winlogbeat(Ev e) {
        Map<String, Object> w = new LinkedHashMap<>();
        w.put("channel", e.channel());
        w.put("event_id", e.id());
        w.put("computer_name", e.computer());
        w.put("provider_name", e.provider());
        w.put("event_data", e.data());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("@timestamp", e.time());
        m.put("winlog", w);
        return m;
    }

    static Map<String, Object> evtxDump(Ev e) {
        Map<String, Object> sys = new LinkedHashMap<>();
        sys.put("Provider", Map.of("#attributes", Map.of("Name", e.provider())));
        sys.put("EventID", e.id());
        sys.put("TimeCreated", Map.of("#attributes", Map.of("SystemTime", e.time())));
        sys.put("Channel", e.channel());
        sys.put("Computer", e.computer());
        return Map.of("Event", Map.of("System", sys, "EventData", e.data()));
    }

    /** Every accepted format, as the bytes of a file; names say which. */
    static Map<String, byte[]> formats() throws Exception {
        Map<String, byte[]> f = new LinkedHashMap<>();
        List<String> oneLine = EVENTS.stream().map(e -> xml(e, "")).toList();
        f.put("xml-lines.xml", utf8(String.join("\n", oneLine) + "\n"));
        f.put("xml-pretty.xml", utf8("<Events>\n" + String.join("\n", EVENTS.stream().map(e -> xml(e, "\n  ")).toList())
                + "\n</Events>\n"));
        f.put("xml-several-per-line.xml", utf8(String.join("", oneLine) + "\n"));
        f.put("xml-after-comments.txt", utf8("#Bulk export of process events\n# second comment\n"
                + String.join("\n", oneLine) + "\n"));
        f.put("json-string-holding-xml.json", utf8(JSON.writeValueAsString(String.join("\n", oneLine))));
        List<String> flatLines = new ArrayList<>();
        for (Ev e : EVENTS) {
            flatLines.add(JSON.writeValueAsString(flat(e)));
        }
        f.put("json-lines.json", utf8(String.join("\n", flatLines) + "\n"));
        f.put("json-array.json", utf8("[" + String.join(",\n", flatLines) + "]"));
        f.put("json-with-bad-line.json", utf8(flatLines.get(0) + "\n{\"EventID\": 1, \"Channel\"\n" + flatLines.get(2) + "\n"));
        List<String> wb = new ArrayList<>();
        for (Ev e : EVENTS) {
            wb.add(JSON.writeValueAsString(winlogbeat(e)));
        }
        f.put("winlogbeat.json", utf8(String.join("\n", wb) + "\n"));
        StringBuilder dump = new StringBuilder();
        for (Ev e : EVENTS) {
            dump.append(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(evtxDump(e))).append('\n');
        }
        f.put("evtx-dump.json", utf8(dump.toString()));
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(gz)) {
            z.write(f.get("json-lines.json"));
        }
        f.put("json-lines.json.gz", gz.toByteArray());
        return f;
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** What makes two events the same event: log source, time and every field. */
    static List<Object> identity(ProcessEvent e) {
        return List.of(e.getLogSource(), e.getTime(), new java.util.TreeMap<>(e.getFields()));
    }

    static List<List<Object>> identities(List<ProcessEvent> events) {
        return events.stream().map(OneIntakePathTest::identity).toList();
    }

    /** A notable without what names the input it came from: orig_source and its evidence's references. */
    static Map<String, Object> comparable(Notable n) {
        Map<String, Object> m = new java.util.TreeMap<>(n.fields());
        withoutInputNames(m);
        try {
            @SuppressWarnings("unchecked")
            Map<String, Object> asJson = JSON.readValue(JSON.writeValueAsString(m), java.util.TreeMap.class);
            return asJson;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void everyFormatGivesTheSameEventsAndCountsThroughEveryEntryPoint(@TempDir Path dir) throws Exception {
        Map<String, byte[]> formats = formats();
        for (Map.Entry<String, byte[]> f : formats.entrySet()) {
            String name = f.getKey();
            byte[] bytes = f.getValue();
            Path file = dir.resolve(name);
            Files.write(file, bytes);

            // The reference: the event source itself.
            List<ProcessEvent> reference = new ArrayList<>();
            IntakeCounts counts = new EventSource().readStream(new ByteArrayInputStream(bytes), name, new EventSink() {
                @Override
                public void processEvent(ProcessEvent event) {
                    reference.add(event);
                }

                @Override
                public void rejected(Origin origin, String reason) {
                }
            });
            boolean bad = name.contains("bad");
            assertEquals(bad ? 3 : 3, counts.records(), name + ": " + counts);
            assertEquals(2, counts.processEvents(), name + ": " + counts);
            assertEquals(bad ? 0 : 1, counts.otherEvents(), name);
            assertEquals(bad ? 1 : 0, counts.rejected(), name);

            // scan
            List<Map<String, Object>> scanNotables = new ArrayList<>();
            ScanStats stats = new ScanPipeline(rules.rules(), ScanOptions.defaults(), EvtxReader::new)
                    .run(List.of(file), writer(scanNotables), new InputListener() {
                    }, p -> {
                    });
            assertEquals(List.of(counts.records(), counts.processEvents(), counts.otherEvents(), counts.rejected()),
                    List.of(stats.events(), stats.processEvents(), stats.otherEvents(), stats.rejected()), "scan " + name);
            assertTrue(scanNotables.size() >= 2, "scan " + name + " notables " + scanNotables);

            // the engine: parse, submitText, submitStream (a fresh engine each, so no window is closed before)
            for (String how : List.of("parse", "submitText", "submitStream")) {
                if (how.equals("submitText") && name.endsWith(".gz")) {
                    continue;
                }
                List<Map<String, Object>> engineNotables = new CopyOnWriteArrayList<>();
                try (ProcwatchEngine engine = ProcwatchEngine.builder().rules(rules.rules())
                        .onNotable(n -> engineNotables.add(comparable(n))).build()) {
                    if (how.equals("submitStream")) {
                        engine.submitStream(new ByteArrayInputStream(bytes), name, p -> {
                        });
                    } else {
                        EventBatch b = how.equals("parse") ? engine.submit(engine.parse(new ByteArrayInputStream(bytes), name))
                                : engine.submitText(new String(bytes, StandardCharsets.UTF_8));
                        assertEquals(identities(reference), identities(b.events()), how + " " + name);
                        assertEquals(List.of(counts.records(), counts.otherEvents(), counts.rejected()),
                                List.of(b.records(), b.other(), (long) b.rejected()), how + " " + name);
                    }
                    engine.flush();
                    assertEquals(scanNotables, engineNotables, how + " notables " + name);
                    EngineMetrics m = engine.metrics();
                    assertEquals(List.of(counts.records(), counts.processEvents(), counts.otherEvents(), counts.rejected()),
                            List.of(m.received(), m.processed(), m.other(), m.rejected()), how + " metrics " + name);
                }
            }

            // serve: HTTP /events
            Path out = dir.resolve(name + ".notables.ndjson");
            ProcwatchServer server = ProcwatchServer.start(ServeConfig.defaults()
                    .withClock(EngineClock.eventTime(), Duration.ofMinutes(10)).withOutputs(out, false, null).withPort(0),
                    rules.rules(), new PrintStream(new ByteArrayOutputStream()));
            try {
                HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                                URI.create("http://127.0.0.1:" + server.port() + "/events"))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(bytes)).build(), HttpResponse.BodyHandlers.ofString());
                JsonNode body = JSON.readTree(r.body());
                assertEquals(List.of(counts.processEvents(), counts.otherEvents(), counts.rejected()),
                        List.of(body.get("accepted").asLong(), body.get("other").asLong(), body.get("rejected").asLong()),
                        "serve " + name + ": " + r.body());
            } finally {
                server.stop();
            }
            assertEquals(scanNotables, readNotables(out), "serve notables " + name);

            // explain: the first process event of the file
            EventPicker.Picked picked = EventPicker.pick(file.toString(), EvtxReader::new);
            assertEquals(identity(reference.get(0)), identity(picked.event()), "explain " + name);

            // the replay reader of the benchmarks and tests
            assertEquals(identities(reference), identities(new EventSource().readProcessEvents(List.of(file))), "bench " + name);
        }
    }

    @Test
    void hecEnvelopesCarryTheSameEventsAsTheirBodies(@TempDir Path dir) throws Exception {
        // Objects in any JSON shape, and strings of XML, as HEC's "event".
        StringBuilder hec = new StringBuilder();
        List<ProcessEvent> reference = new ArrayList<>();
        EventSource source = new EventSource();
        EventSink collect = new EventSink() {
            @Override
            public void processEvent(ProcessEvent event) {
                reference.add(event);
            }

            @Override
            public void rejected(Origin origin, String reason) {
            }
        };
        IntakeCounts counts = IntakeCounts.NONE;
        for (Ev e : EVENTS) {
            for (Object event : List.of(flat(e), winlogbeat(e), evtxDump(e), xml(e, ""))) {
                hec.append(JSON.writeValueAsString(Map.of("event", event))).append('\n');
                counts = counts.plus(source.readText(JSON.writeValueAsString(event), "ref", collect));
            }
        }
        assertEquals(12, counts.records());
        assertEquals(8, counts.processEvents());
        Path out = dir.resolve("hec.ndjson");
        ProcwatchServer server = ProcwatchServer.start(ServeConfig.defaults()
                .withClock(EngineClock.eventTime(), Duration.ofMinutes(10)).withOutputs(out, false, null).withPort(0),
                rules.rules(), new PrintStream(new ByteArrayOutputStream()));
        try {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + server.port() + "/services/collector/event"))
                    .POST(HttpRequest.BodyPublishers.ofString(hec.toString())).build(), HttpResponse.BodyHandlers.ofString());
            JsonNode body = JSON.readTree(r.body());
            assertEquals(List.of(counts.processEvents(), counts.otherEvents(), counts.rejected()),
                    List.of(body.get("accepted").asLong(), body.get("other").asLong(), body.get("rejected").asLong()), r.body());
            assertEquals(8, server.engine().metrics().queued());
        } finally {
            server.stop();
        }
        List<Map<String, Object>> expected = new ArrayList<>();
        try (ProcwatchEngine engine = ProcwatchEngine.builder().rules(rules.rules())
                .onNotable(n -> expected.add(comparable(n))).build()) {
            reference.forEach(engine::submit);
            engine.flush();
        }
        assertEquals(expected, readNotables(out));
    }

    /** Removes orig_source, and the file, member, line and ref of each evidence entry (they name the input). */
    @SuppressWarnings("unchecked")
    static void withoutInputNames(Map<String, Object> notable) {
        notable.remove("orig_source");
        Object evidence = notable.get("evidence");
        if (evidence instanceof List<?> items) {
            List<Map<String, Object>> kept = new ArrayList<>();
            for (Object item : items) {
                Map<String, Object> e = new java.util.TreeMap<>(JSON.convertValue(item, Map.class));
                e.keySet().removeAll(List.of("file", "member", "line", "ref"));
                kept.add(e);
            }
            notable.put("evidence", kept);
        }
    }

    static List<Map<String, Object>> readNotables(Path out) throws Exception {
        List<Map<String, Object>> l = new ArrayList<>();
        if (!Files.exists(out)) {
            return l;
        }
        for (String line : Files.readAllLines(out)) {
            @SuppressWarnings("unchecked")
            Map<String, Object> m = new java.util.TreeMap<>(JSON.readValue(line, Map.class));
            withoutInputNames(m);
            l.add(m);
        }
        return l;
    }

    static NotableWriter writer(List<Map<String, Object>> into) {
        return new NotableWriter() {
            @Override
            public void write(Notable n) {
                into.add(comparable(n));
            }

            @Override
            public void close() {
            }
        };
    }
}
