package io.procwatch.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.procwatch.detect.RuleSet;
import io.procwatch.engine.EngineClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Starts the real server on a loopback port and drives it with the JDK HTTP client. */
class ServeHttpTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static RuleSet rules;
    final HttpClient client = HttpClient.newHttpClient();
    final List<ProcwatchServer> started = new ArrayList<>();
    static String xml;
    static String json;

    @BeforeAll
    static void load() throws Exception {
        rules = RuleSet.bundled();
        xml = Files.readString(Path.of("examples/01-sysmon-qemu.xml"));
        json = Files.readString(Path.of("examples/02-security-4688.json"));
    }

    @AfterEach
    void stopAll() {
        started.forEach(ProcwatchServer::stop);
    }

    ProcwatchServer start(ServeConfig cfg) throws Exception {
        ProcwatchServer s = ProcwatchServer.start(cfg.withPort(0), rules, new PrintStream(new ByteArrayOutputStream()));
        started.add(s);
        return s;
    }

    static ServeConfig replay(Path out) {
        return ServeConfig.defaults().withClock(EngineClock.eventTime(), Duration.ofMinutes(10))
                .withOutputs(out, false, null);
    }

    HttpResponse<String> post(ProcwatchServer s, String path, String body, String auth) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + path))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (auth != null) {
            b.header("Authorization", auth);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> get(ProcwatchServer s, String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static List<JsonNode> notables(Path out) throws Exception {
        List<JsonNode> l = new ArrayList<>();
        for (String line : Files.readAllLines(out)) {
            l.add(JSON.readTree(line));
        }
        return l;
    }

    @Test
    void ingestsXmlAndJsonAndAppendsNotablesAcrossRestarts(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("notables.ndjson");
        ProcwatchServer s = start(replay(out));
        HttpResponse<String> r = post(s, "/events", xml, null);
        assertEquals(200, r.statusCode(), r.body());
        JsonNode body = JSON.readTree(r.body());
        assertEquals(8, body.get("accepted").asInt());
        assertEquals(1, body.get("other").asInt());
        r = post(s, "/events", json, null);
        assertEquals(200, r.statusCode(), r.body());
        // A JSON array works too.
        String array = "[" + String.join(",", json.lines().toList()) + "]";
        assertEquals(200, post(s, "/events", array, null).statusCode());
        s.stop();
        List<JsonNode> first = notables(out);
        assertEquals(4, first.size());
        assertEquals("WKS-FIN-07", first.get(0).get("risk_object").asText());
        assertEquals(2, first.get(0).get("count").asInt());
        JsonNode hr = first.stream().filter(n -> n.get("risk_object").asText().startsWith("WKS-HR-03")).findFirst().orElseThrow();
        assertEquals(2, hr.get("count").asInt());   // the same 4688 sent as lines and as an array

        ProcwatchServer again = start(replay(out));
        assertEquals(200, post(again, "/events", json, null).statusCode());
        again.stop();
        assertEquals(5, notables(out).size(), "restart must append, never truncate");
    }

    @Test
    void tokensAreRequiredWhenConfigured(@TempDir Path dir) throws Exception {
        ProcwatchServer s = start(replay(dir.resolve("n.ndjson")).withToken("s3cret"));
        assertEquals(401, post(s, "/events", json, null).statusCode());
        assertEquals(403, post(s, "/events", json, "Bearer wrong").statusCode());
        HttpResponse<String> hec = post(s, "/services/collector/event", "{\"event\":{}}", "Splunk nope");
        assertEquals(403, hec.statusCode());
        assertEquals(4, JSON.readTree(hec.body()).get("code").asInt());
        assertEquals(200, post(s, "/events", json, "Bearer s3cret").statusCode());
        assertEquals(200, post(s, "/services/collector/event", "{\"event\":" + json.lines().findFirst().orElseThrow() + "}",
                "Splunk s3cret").statusCode());
        assertEquals(200, get(s, "/health").statusCode());     // health and metrics stay open for probes
    }

    @Test
    void splunkHecEnvelopes(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("n.ndjson");
        ProcwatchServer s = start(replay(out));
        String firstXml = xml.lines().findFirst().orElseThrow();
        String body = "{\"time\":1709549530,\"host\":\"WKS-FIN-07\",\"sourcetype\":\"XmlWinEventLog\",\"event\":"
                + JSON.writeValueAsString(firstXml) + "}\n"
                + "{\"event\":" + json.lines().findFirst().orElseThrow() + "}"
                + "{\"event\":" + JSON.writeValueAsString(json.lines().skip(1).findFirst().orElseThrow()) + "}";
        HttpResponse<String> r = post(s, "/services/collector/event", body, null);
        assertEquals(200, r.statusCode(), r.body());
        JsonNode b = JSON.readTree(r.body());
        assertEquals("Success", b.get("text").asText());
        assertEquals(0, b.get("code").asInt());
        assertEquals(3, b.get("accepted").asInt());
        assertEquals(200, get(s, "/services/collector/health").statusCode());

        HttpResponse<String> noEvent = post(s, "/services/collector/event", "{\"fields\":{}}", null);
        assertEquals(400, noEvent.statusCode());
        assertTrue(noEvent.body().contains("Event field is required"), noEvent.body());
        HttpResponse<String> bad = post(s, "/services/collector", "{\"event\": nope", null);
        assertEquals(400, bad.statusCode());
        assertEquals(6, JSON.readTree(bad.body()).get("code").asInt());
        s.stop();
        List<JsonNode> n = notables(out);
        assertEquals(2, n.size());
        assertEquals(1, n.get(0).get("count").asInt());
    }

    @Test
    void malformedAndOversizedBodiesAreRefusedAndCounted(@TempDir Path dir) throws Exception {
        ProcwatchServer s = start(replay(dir.resolve("n.ndjson")).withLimits(4096, 100));
        HttpResponse<String> r = post(s, "/events", "this is not an event", null);
        assertEquals(400, r.statusCode());
        assertTrue(r.body().contains("not a recognised event format (expected EVTX, Windows event XML or JSON)"), r.body());
        r = post(s, "/events", json.lines().findFirst().orElseThrow() + "\n{\"EventID\": 1, oops\n", null);
        assertEquals(400, r.statusCode());
        JsonNode b = JSON.readTree(r.body());
        assertEquals(1, b.get("accepted").asInt());
        assertEquals(1, b.get("rejected").asInt());
        assertTrue(b.get("errors").get(0).asText().contains(":2: "), r.body());
        assertEquals(400, post(s, "/events", "", null).statusCode());
        assertEquals(413, post(s, "/events", "x".repeat(5000), null).statusCode());
        // The limit applies after gzip decoding too.
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(gz)) {
            z.write(" ".repeat(100_000).getBytes(StandardCharsets.UTF_8));
        }
        HttpResponse<String> zipped = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + "/events"))
                .header("Content-Encoding", "gzip").POST(HttpRequest.BodyPublishers.ofByteArray(gz.toByteArray())).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(413, zipped.statusCode());
        assertEquals(405, get(s, "/events").statusCode());
        String metrics = get(s, "/metrics").body();
        assertTrue(metrics.contains("procwatch_malformed_bodies_total 3\n"), metrics);
        assertTrue(metrics.contains("procwatch_events_rejected_total 2\n"), metrics);
        assertTrue(metrics.contains("procwatch_http_responses_total{code=\"413\"} 2\n"), metrics);
    }

    @Test
    void fullQueueAnswers503WithRetryAfter(@TempDir Path dir) throws Exception {
        CountDownLatch inTap = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ProcwatchServer s = start(replay(dir.resolve("n.ndjson")).withLimits(1 << 20, 1).withTap(n -> {
            inTap.countDown();
            try {
                release.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        List<String> lines = xml.lines().toList();
        assertEquals(200, post(s, "/events", lines.get(0), null).statusCode());   // 10:52 opens a window
        // 12:01 moves event time past 11:50 + 10 min: the notable goes out and the tap holds the session thread.
        assertEquals(200, post(s, "/events", lines.get(6), null).statusCode());
        assertTrue(inTap.await(30, TimeUnit.SECONDS));
        HttpResponse<String> busy = post(s, "/events", lines.get(7), null);
        assertEquals(503, busy.statusCode(), busy.body());
        assertEquals("1", busy.headers().firstValue("Retry-After").orElseThrow());
        assertTrue(get(s, "/metrics").body().contains("procwatch_events_refused_total 1\n"));
        release.countDown();
    }

    @Test
    void metricsAndHealth(@TempDir Path dir) throws Exception {
        ProcwatchServer s = start(replay(dir.resolve("n.ndjson")));
        post(s, "/events", xml, null);
        s.engine().tick();
        HttpResponse<String> m = get(s, "/metrics");
        assertEquals(200, m.statusCode());
        assertTrue(m.headers().firstValue("Content-Type").orElseThrow().startsWith("text/plain; version=0.0.4"));
        String t = m.body();
        for (String line : List.of("procwatch_events_received_total 9", "procwatch_events_processed_total 8",
                "procwatch_events_other_total 1", "procwatch_queue_depth 0", "procwatch_queue_capacity 10000",
                "# TYPE procwatch_notables_total counter", "procwatch_rules ")) {
            assertTrue(t.contains(line), line + " missing in\n" + t);
        }
        assertTrue(t.matches("(?s).*procwatch_heap_used_bytes [1-9][0-9]*\n.*"), t);
        JsonNode h = JSON.readTree(get(s, "/health").body());
        assertEquals("ok", h.get("status").asText());
        assertEquals(404, get(s, "/nope").statusCode());
    }

    @Test
    void shutdownHookDrainsFlushesAndStopsIntake(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("n.ndjson");
        ProcwatchServer s = start(ServeConfig.defaults().withOutputs(out, false, null)
                .withClock(EngineClock.wall(java.time.Clock.fixed(java.time.Instant.parse("2024-03-04T12:10:00Z"), java.time.ZoneOffset.UTC)),
                        Duration.ofMinutes(10)));
        assertEquals(200, post(s, "/events", json, null).statusCode());   // 12:20 window [11:50, 12:50) stays open
        s.engine().tick();
        assertEquals(0, Files.size(out));
        assertEquals(1, s.engine().metrics().openGroups());
        int port = s.port();
        s.shutdownHook().run();                                              // what SIGTERM runs
        List<JsonNode> n = notables(out);
        assertEquals(1, n.size());
        assertEquals("WKS-HR-03.corp.example", n.get(0).get("risk_object").asText());
        assertThrows(ConnectException.class, () -> client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health")).build(),
                HttpResponse.BodyHandlers.ofString()));
    }

    @Test
    void stdinIsFedUntilItEnds(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("n.ndjson");
        ProcwatchServer s = start(replay(out));
        List<String> problems = new CopyOnWriteArrayList<>();
        long n = s.feed(new ByteArrayInputStream((xml).getBytes(StandardCharsets.UTF_8)), "stdin", problems::add);
        assertEquals(8, n);
        s.stop();
        assertEquals(3, notables(out).size());
        assertTrue(problems.isEmpty(), problems.toString());
    }

    @Test
    void webhookRetriesUntilDelivered(@TempDir Path dir) throws Exception {
        AtomicInteger calls = new AtomicInteger();
        List<String> bodies = new CopyOnWriteArrayList<>();
        CountDownLatch delivered = new CountDownLatch(4);
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", ex -> {
            byte[] b = ex.getRequestBody().readAllBytes();
            int c = calls.incrementAndGet();
            int code = c == 1 ? 500 : 204;   // the first delivery fails once
            if (code == 204) {
                bodies.add(new String(b, StandardCharsets.UTF_8));
                delivered.countDown();
            }
            ex.sendResponseHeaders(code, -1);
            ex.close();
        });
        receiver.start();
        try {
            ProcwatchServer s = start(replay(dir.resolve("n.ndjson"))
                    .withOutputs(dir.resolve("n.ndjson"), false, URI.create("http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook"))
                    .withWebhookRetries(3, Duration.ofMillis(10)));
            post(s, "/events", xml, null);
            post(s, "/events", json, null);
            s.stop();
            assertTrue(delivered.await(30, TimeUnit.SECONDS));
            assertEquals(5, calls.get());
            assertEquals(4, bodies.size());
            assertTrue(bodies.stream().allMatch(b -> b.startsWith("{\"rule_id\":")), bodies.toString());
        } finally {
            receiver.stop(0);
        }
    }
}
