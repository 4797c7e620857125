package io.procwatch.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.procwatch.detect.RuleSet;
import org.junit.jupiter.api.parallel.Isolated;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.Socket;
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
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hostile clients against the real server on a loopback port: slow headers, slow bodies, bodies that need no token
 * to be refused, prefix paths, wrapped HEC events, oversized batches, big events against the byte-bounded queue.
 * Every case is bounded in time (a few seconds) and size (a few MB).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@Isolated("measures response times")
public class ServeHostileTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static RuleSet rules;
    static String json;
    final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    final List<ProcwatchServer> started = new ArrayList<>();
    final List<Socket> sockets = new ArrayList<>();

    @BeforeAll
    static void load() throws Exception {
        rules = RuleSet.bundled();
        json = Files.readString(Path.of("examples/02-security-4688.json"));
    }

    @AfterEach
    void stopAll() throws Exception {
        for (Socket s : sockets) {
            s.close();
        }
        started.forEach(ProcwatchServer::stop);
    }

    ProcwatchServer start(ServeConfig cfg) throws Exception {
        ProcwatchServer s = ProcwatchServer.start(cfg.withPort(0), rules, new PrintStream(new ByteArrayOutputStream()));
        started.add(s);
        return s;
    }

    static ServeConfig replay(Path out) {
        return ServeHttpTest.replay(out);
    }

    HttpResponse<String> send(ProcwatchServer s, String path, String body, String auth) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + path))
                .timeout(Duration.ofSeconds(10));
        b = body == null ? b.GET() : b.POST(HttpRequest.BodyPublishers.ofString(body));
        if (auth != null) {
            b.header("Authorization", auth);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    Socket raw(ProcwatchServer s, String text) throws Exception {
        Socket sock = new Socket("127.0.0.1", s.port());
        sockets.add(sock);
        sock.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
        sock.getOutputStream().flush();
        return sock;
    }

    /** Milliseconds a GET takes, asserting it answers 200. */
    long timedGet(ProcwatchServer s, String path) throws Exception {
        long t0 = System.nanoTime();
        HttpResponse<String> r = send(s, path, null, null);
        assertEquals(200, r.statusCode(), path + ": " + r.body());
        return (System.nanoTime() - t0) / 1_000_000;
    }

    static long metric(String metrics, String name) {
        for (String line : metrics.lines().toList()) {
            if (line.startsWith(name + " ")) {
                return (long) Double.parseDouble(line.substring(name.length() + 1));
            }
        }
        throw new AssertionError(name + " not in metrics");
    }

    @Test
    void slowHeaderClientsNeitherStarveHealthNorKeepTheirConnections(@TempDir Path dir) throws Exception {
        ProcwatchServer s = start(replay(dir.resolve("n.ndjson")).withToken("t0ken")
                .withHttp(HttpLimits.defaults().withTimeouts(Duration.ofSeconds(30), Duration.ofSeconds(2))));
        // 64 clients (the JDK server of before had 4 handler threads) send a request line and half the headers.
        List<Socket> slow = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            slow.add(raw(s, "POST /events HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n"));
        }
        long health = timedGet(s, "/health");
        long metrics = timedGet(s, "/metrics");
        HttpResponse<String> ingest = send(s, "/events", json, "Bearer t0ken");
        assertEquals(200, ingest.statusCode(), ingest.body());
        assertTrue(health < 2_000 && metrics < 2_000, "health " + health + " ms, metrics " + metrics + " ms");
        // They keep dribbling header bytes (never idle), yet are cut off once the header deadline has passed.
        long t0 = System.nanoTime();
        int closed = 0;
        for (Socket sock : slow) {
            sock.setSoTimeout(8_000);
            try {
                for (int i = 0; i < 20; i++) {
                    sock.getOutputStream().write('X');
                    sock.getOutputStream().flush();
                    if (i % 4 == 3) {
                        break;
                    }
                }
                InputStream in = sock.getInputStream();
                while (in.read() >= 0) {
                    // drain whatever the server says before closing
                }
                closed++;
            } catch (java.io.IOException reset) {
                closed++;
            }
        }
        long seconds = (System.nanoTime() - t0) / 1_000_000_000;
        assertEquals(64, closed);
        assertTrue(seconds < 10, seconds + " s to close slow-header clients");
        assertTrue(metric(send(s, "/metrics", null, null).body(), "procwatch_http_slow_header_closes_total") >= 60);
    }

    @Test
    void slowBodiesAndUnauthenticatedHugeBodiesCostNoThreads(@TempDir Path dir) throws Exception {
        ProcwatchServer s = start(replay(dir.resolve("n.ndjson")).withToken("t0ken"));
        // 64 authorised clients that announce 1 MB and send 10 bytes.
        for (int i = 0; i < 64; i++) {
            raw(s, "POST /events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer t0ken\r\nContent-Length: 1000000\r\n\r\n{\"EventID\"");
        }
        assertTrue(timedGet(s, "/health") < 2_000);
        HttpResponse<String> ingest = send(s, "/events", json, "Bearer t0ken");
        assertEquals(200, ingest.statusCode(), ingest.body());
        // No token: refused on the headers, before a single body byte is sent.
        Socket noToken = raw(s, "POST /events HTTP/1.1\r\nHost: x\r\nContent-Length: 9000000\r\n\r\n");
        noToken.setSoTimeout(5_000);
        String status = new String(noToken.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
        assertEquals("HTTP/1.1 401", status);
    }

    @Test
    void pathsMatchExactly(@TempDir Path dir) throws Exception {
        ProcwatchServer s = start(replay(dir.resolve("n.ndjson")));
        assertEquals(404, send(s, "/eventsXYZ", json, null).statusCode());
        assertEquals(404, send(s, "/events/x", json, null).statusCode());
        assertEquals(404, send(s, "/services/collector/eventfoo", "{\"event\":{}}", null).statusCode());
        assertEquals(404, send(s, "/healthz", null, null).statusCode());
        assertEquals(200, send(s, "/events", json, null).statusCode());
        assertEquals(200, send(s, "/services/collector/event/1.0",
                "{\"event\":" + json.lines().findFirst().orElseThrow() + "}", null).statusCode());
    }

    @Test
    void hecEventsWrappedByLoggingClientsAreUnwrapped(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("n.ndjson");
        ProcwatchServer s = start(replay(out));
        String line = json.lines().findFirst().orElseThrow();
        // splunk-logging (npm) default: {message, severity}; the message as object and as a JSON string.
        String body = "{\"event\":{\"message\":" + line + ",\"severity\":\"info\"}}"
                + "{\"event\":{\"message\":" + JSON.writeValueAsString(line) + ",\"severity\":\"info\",\"logger\":\"x\"}}";
        HttpResponse<String> r = send(s, "/services/collector/event", body, null);
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(2, JSON.readTree(r.body()).get("accepted").asInt(), r.body());
        // A Winlogbeat event has a "message" beside its own fields: not a wrapper, left alone.
        String winlogbeat = "{\"event\":{\"message\":\"Process Create\",\"@timestamp\":\"2024-03-04T12:20:31Z\","
                + "\"winlog\":{\"channel\":\"Security\",\"event_id\":4688,\"computer_name\":\"WKS-1\","
                + "\"event_data\":{\"NewProcessName\":\"C:\\\\Windows\\\\System32\\\\whoami.exe\",\"CommandLine\":\"whoami\"}}}}";
        r = send(s, "/services/collector/event", winlogbeat, null);
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(1, JSON.readTree(r.body()).get("accepted").asInt(), r.body());
    }

    @Test
    void everyReceivedEventEndsInExactlyOneOutcome(@TempDir Path dir) throws Exception {
        ProcwatchServer s = start(replay(dir.resolve("n.ndjson")).withLimits(1 << 20, 2));
        List<String> lines = json.lines().toList();
        String three = String.join("\n", lines.get(0), lines.get(1), lines.get(0));
        assertEquals(413, send(s, "/events", three, null).statusCode());          // more than the queue can take
        assertEquals(200, send(s, "/events", lines.get(0), null).statusCode());
        assertEquals(400, send(s, "/events", lines.get(0) + "\n{\"EventID\": 1, oops\n", null).statusCode());
        s.engine().flush();
        String m = send(s, "/metrics", null, null).body();
        long received = metric(m, "procwatch_events_received_total");
        long outcomes = metric(m, "procwatch_events_processed_total") + metric(m, "procwatch_events_rejected_total")
                + metric(m, "procwatch_events_other_total") + metric(m, "procwatch_events_refused_total")
                + metric(m, "procwatch_queue_depth");
        assertEquals(6, received, m);
        assertEquals(received, outcomes, m);
        assertEquals(3, metric(m, "procwatch_events_refused_total"), m);
    }

    @Test
    void recordsThatAreNotEventsAreCountedInExactlyOneOutcomeToo(@TempDir Path dir) throws Exception {
        ProcwatchServer s = start(replay(dir.resolve("n.ndjson")));
        String event = json.lines().findFirst().orElseThrow();
        // path, body, records it holds
        List<Object[]> bodies = List.of(
                new Object[]{"/services/collector/event", "{\"fields\":{}}", 1},                 // no event
                new Object[]{"/services/collector/event", "{\"event\":42}{\"event\":[1]}", 2},   // not an event
                new Object[]{"/services/collector/event", "\"text\" 7 [1, {\"time\":1}]", 4},    // not envelopes
                new Object[]{"/services/collector/event", "{\"event\":" + event + "}{\"event\": nope", 2},
                new Object[]{"/services/collector", "this is not JSON", 1},
                new Object[]{"/services/collector/event", "{\"event\":{\"foo\":1}}", 1},          // not Windows
                new Object[]{"/events", "{\"foo\":1}\n[1,2,3]\n42\nnull\n\"str\"\n", -1},
                new Object[]{"/services/collector/raw", "\u001b]0;x\u0007 junk\n", -1});
        long answered = 0;
        for (Object[] b : bodies) {
            HttpResponse<String> r = send(s, (String) b[0], (String) b[1], null);
            assertTrue(r.statusCode() == 200 || r.statusCode() == 400, b[1] + " -> " + r.statusCode() + " " + r.body());
            JsonNode a = JSON.readTree(r.body());
            assertTrue(a.has("rejected"), "the answer says what became of each record: " + r.body());
            long records = a.get("accepted").asLong() + a.get("other").asLong() + a.get("rejected").asLong();
            if ((int) b[2] >= 0) {
                assertEquals((int) b[2], records, b[1] + " -> " + r.body());
            }
            assertTrue(records >= 1, b[1] + " -> " + r.body());
            answered += records;
        }
        s.engine().flush();
        String m = send(s, "/metrics", null, null).body();
        long received = metric(m, "procwatch_events_received_total");
        assertEquals(answered, received, m);
        assertEquals(received, metric(m, "procwatch_events_processed_total") + metric(m, "procwatch_events_rejected_total")
                + metric(m, "procwatch_events_other_total") + metric(m, "procwatch_events_refused_total")
                + metric(m, "procwatch_queue_depth"), m);
        assertEquals(1, metric(m, "procwatch_events_processed_total"), "the event before the broken JSON is kept: " + m);
    }

    /** Reads the status line the server sends on {@code sock}, or "closed" at end of stream; -1 ms on a timeout. */
    static String answer(Socket sock, int timeoutMillis) throws Exception {
        sock.setSoTimeout(timeoutMillis);
        InputStream in = sock.getInputStream();
        StringBuilder line = new StringBuilder();
        try {
            int c;
            while ((c = in.read()) >= 0 && c != '\r' && c != '\n') {
                line.append((char) c);
            }
            return line.isEmpty() ? "closed" : line.toString();
        } catch (java.net.SocketTimeoutException e) {
            return "timeout";
        } catch (java.net.SocketException e) {
            return "closed";      // reset by the server
        }
    }

    @Test
    void atTheConnectionLimitIdleConnectionsAreClosedAndHealthStillAnswers(@TempDir Path dir) throws Exception {
        int limit = 4;
        ProcwatchServer s = start(replay(dir.resolve("n.ndjson")).withHttp(HttpLimits.defaults().withConnections(limit)));
        // Twice the limit in connections that send nothing, then /health (the 2N+1st): each new connection beyond
        // the limit closes the one idle longest.
        List<Socket> idle = new ArrayList<>();
        for (int i = 0; i < 2 * limit; i++) {
            idle.add(raw(s, ""));
        }
        Thread.sleep(200);
        long ms = timedGet(s, "/health");
        System.out.println("connection limit " + limit + ", " + 2 * limit + " idle connections: /health answered in " + ms + " ms");
        assertTrue(ms < 5_000, ms + " ms");
        assertEquals("closed", answer(idle.get(0), 5_000), "the connection idle longest made room");
        // Connections inside a request are not closed for a newcomer: idle ones are, then the newcomer is refused.
        String head = "POST /events HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n";
        List<Socket> busy = new ArrayList<>();
        for (int i = 0; i < limit; i++) {
            busy.add(raw(s, head + "{"));
        }
        Thread.sleep(300);
        Socket late = raw(s, "GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
        assertEquals("closed", answer(late, 5_000), "a connection beyond the limit while all are busy is refused");
        for (Socket i : idle) {
            assertEquals("closed", answer(i, 5_000), "every idle connection made room for a busy one");
        }
        for (Socket b : busy) {
            b.close();
        }
        Thread.sleep(300);
        String m = send(s, "/metrics", null, null).body();
        assertEquals(limit, metric(m, "procwatch_http_connections_max"), m);
        assertTrue(metric(m, "procwatch_http_connections_open") <= limit, m);
        assertTrue(metric(m, "procwatch_http_connections_evicted_total") >= 2L * limit, m);
        assertEquals(1, metric(m, "procwatch_http_connections_refused_total"), m);
        assertEquals(200, send(s, "/events", json, null).statusCode());
    }

    @Test
    void aSlowOrStalledBodyIsCutOffAndAnswered408(@TempDir Path dir) throws Exception {
        // 1 KiB/s minimum body rate (the default), 3 s idle timeout.
        ProcwatchServer s = start(replay(dir.resolve("n.ndjson"))
                .withHttp(HttpLimits.defaults().withTimeouts(Duration.ofSeconds(3), Duration.ofSeconds(10))));
        String head = "POST /events HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n";
        Socket slow = raw(s, head);
        Socket stalled = raw(s, head + "{\"EventID\"");
        long t0 = System.nanoTime();
        // 10 bytes every 250 ms (40 B/s) until the server gives up on the body.
        Thread dribble = new Thread(() -> {
            try {
                for (int i = 0; i < 80; i++) {
                    slow.getOutputStream().write("          ".getBytes(StandardCharsets.US_ASCII));
                    slow.getOutputStream().flush();
                    Thread.sleep(250);
                }
            } catch (Exception cutOff) {
                // the server closed the connection
            }
        });
        dribble.setDaemon(true);
        dribble.start();
        String a = answer(slow, 15_000);
        long slowMs = (System.nanoTime() - t0) / 1_000_000;
        String b = answer(stalled, 15_000);
        long stalledMs = (System.nanoTime() - t0) / 1_000_000;
        System.out.println("slow body (40 B/s) answered '" + a + "' after " + slowMs + " ms; stalled body '" + b
                + "' after " + stalledMs + " ms");
        assertTrue(a.contains(" 408"), a);
        assertTrue(slowMs < 10_000, slowMs + " ms");
        assertTrue(b.contains(" 408"), b);
        assertTrue(stalledMs < 10_000, stalledMs + " ms");
        String m = send(s, "/metrics", null, null).body();
        assertEquals(2, metric(m, "procwatch_http_slow_body_aborts_total"), m);
        assertEquals(0, metric(m, "procwatch_events_received_total"), m);
    }

    /** Two Sigma rules whose patterns backtrack catastrophically: one RE2/J runs, one it cannot (back-reference). */
    public static Path backtrackingSigmaRules(Path dir) throws Exception {
        Path sigma = Files.createDirectories(dir.resolve("sigma"));
        String head = "logsource: {category: process_creation, product: windows}\ndetection:\n";
        Files.writeString(sigma.resolve("linear.yml"), "title: re2j\nid: " + LINEAR_RULE + "\nlevel: high\n" + head
                + "  sel:\n    CommandLine|re: '(\\w+){1,30}$'\n  condition: sel\n");
        Files.writeString(sigma.resolve("backref.yml"), "title: backref\nid: " + BACKREF_RULE + "\nlevel: high\n" + head
                + "  sel:\n    CommandLine|re: '(a|aa)+\\1b'\n  condition: sel\n");
        return sigma;
    }

    public static final String LINEAR_RULE = "00000000-0000-0000-0000-00000000e1e1";
    public static final String BACKREF_RULE = "00000000-0000-0000-0000-00000000e1e2";

    /** A 4688 event with this command line. */
    public static String event(String commandLine, int second) {
        return "{\"EventID\":4688,\"Channel\":\"Security\",\"Computer\":\"WKS-1\",\"@timestamp\":\"2024-03-04T12:20:"
                + String.format("%02d", second) + "Z\",\"NewProcessName\":\"C:\\\\x.exe\",\"CommandLine\":\"" + commandLine + "\"}";
    }

    @Test
    void backtrackingSigmaPatternsNeitherStallIntakeNorHealthAndAreCounted(@TempDir Path dir) throws Exception {
        RuleSet sigmaRules = io.procwatch.sigma.SigmaRules.withDrl(null, List.of(backtrackingSigmaRules(dir)),
                new java.io.PrintWriter(java.io.Writer.nullWriter()));
        ProcwatchServer s = ProcwatchServer.start(replay(dir.resolve("n.ndjson")).withPort(0), sigmaRules,
                new PrintStream(new ByteArrayOutputStream()));
        started.add(s);
        String hostile = event("b " + "a".repeat(48) + "c", 1) + "\n" + event("a".repeat(40) + "!", 2);
        // Four clients at once, as in the issue (they used to pin every HTTP thread in the prefilter).
        List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> posts = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            posts.add(client.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + "/events"))
                    .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofString(hostile)).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        long healthMs = timedGet(s, "/health");
        for (var p : posts) {
            assertEquals(200, p.get(60, TimeUnit.SECONDS).statusCode());
        }
        long t0 = System.nanoTime();
        s.engine().flush();
        long flushMs = (System.nanoTime() - t0) / 1_000_000;
        String m = send(s, "/metrics", null, null).body();
        System.out.println("backtracking Sigma patterns x 4 clients: /health " + healthMs + " ms, evaluation drained in "
                + flushMs + " ms");
        assertTrue(healthMs < 5_000, healthMs + " ms");
        assertEquals(8, metric(m, "procwatch_events_processed_total"), m);
        assertEquals(1, metric(m, "procwatch_sigma_regex_rules_disabled"), m);
        assertEquals(1, metric(m, "procwatch_sigma_regex_moved_to_linear"), m);
        JsonNode health = JSON.readTree(send(s, "/health", null, null).body());
        assertEquals(BACKREF_RULE, health.get("sigmaRulesDisabled").get(0).asText(), health.toString());
    }

    @Test
    void theQueueIsBoundedInBytesAsWellAsEvents(@TempDir Path dir) throws Exception {
        // 2 MB of queue; events of 400 KB command lines (1.6 MB estimated each).
        ProcwatchServer s = start(replay(dir.resolve("n.ndjson")).withLimits(8 << 20, 10_000).withQueueBytes(2L << 20));
        String big = "{\"EventID\":4688,\"Channel\":\"Security\",\"Computer\":\"WKS-1\",\"@timestamp\":\"2024-03-04T12:20:31Z\","
                + "\"NewProcessName\":\"C:\\\\x.exe\",\"CommandLine\":\"" + "A".repeat(400_000) + "\"}";
        String three = big + "\n" + big + "\n" + big + "\n";
        HttpResponse<String> r = send(s, "/events", three, null);
        assertEquals(413, r.statusCode(), r.body());
        assertTrue(r.body().contains("bytes"), r.body());
        assertEquals(200, send(s, "/events", big, null).statusCode());
        String m = send(s, "/metrics", null, null).body();
        assertEquals(2L << 20, metric(m, "procwatch_queue_bytes_capacity"));
    }

    @Test
    void aFullOutputDiskIsRetriedWithoutTornLinesAndReported(@TempDir Path dir) throws Exception {
        Path devFull = Path.of("/dev/full");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(devFull), "NOTICE: no /dev/full on this system");
        Path out = dir.resolve("notables.ndjson");
        Files.createSymbolicLink(out, devFull);   // every write fails with ENOSPC, as on a full disk
        ProcwatchServer s = start(replay(out));
        assertEquals(200, send(s, "/events", json, null).statusCode());
        s.engine().flush();
        JsonNode health = JSON.readTree(send(s, "/health", null, null).body());
        assertEquals("failing", health.get("out").get("status").asText(), health.toString());
        int waiting = health.get("out").get("pendingNotables").asInt();
        assertTrue(waiting >= 1, health.toString());
        String m = send(s, "/metrics", null, null).body();
        assertTrue(metric(m, "procwatch_output_file_failures_total") >= 1, m);
        // Space returns (the link now leads to a real file): the retry thread writes every waiting notable.
        Path real = dir.resolve("real.ndjson");
        Files.createFile(real);
        Files.delete(out);
        Files.createSymbolicLink(out, real);
        long until = System.nanoTime() + 10_000_000_000L;
        while (Files.readAllLines(real).size() < waiting && System.nanoTime() < until) {
            Thread.sleep(100);
        }
        List<String> lines = Files.readAllLines(real);
        assertEquals(waiting, lines.size());
        for (String l : lines) {
            assertTrue(JSON.readTree(l).has("rule_id"), "a whole notable per line: " + l);
        }
        assertEquals("ok", JSON.readTree(send(s, "/health", null, null).body()).get("out").get("status").asText());
    }
}
