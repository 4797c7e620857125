package io.procwatch.durable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.procwatch.TestRules;
import io.procwatch.TestScan;
import io.procwatch.aggregate.Notable;
import io.procwatch.engine.EngineClock;
import io.procwatch.StreamEvents;
import io.procwatch.serve.DurabilityConfig;
import io.procwatch.serve.ProcwatchServer;
import io.procwatch.serve.ServeConfig;
import io.procwatch.durable.StateStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.PrintStream;
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
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@code serve --state-dir}: events acknowledged with 2xx survive {@code kill -9} of the service process and count
 * exactly once after a restart on the same directory; a store that cannot write answers 503 and {@code /health}
 * says why.
 *
 * <p>The methods run at the same time (each has its own directory, service processes and ports): most of their time
 * is spent waiting for the services they start and kill.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
@Execution(ExecutionMode.CONCURRENT)
class DurableServeTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @Test
    void acknowledgedEventsSurviveKillNineExactlyOnce(@TempDir Path dir) throws Exception {
        List<String> lines = StreamEvents.lines(1200, 8, 7, 8);
        Path all = StreamEvents.write(dir.resolve("all.json"), lines, 0, lines.size());
        Set<String> expected = scansNotables(all);
        Path state = dir.resolve("state");
        Path out = dir.resolve("notables.ndjson");

        Process first = serve(dir, state, out, "serve1.log");
        try {
            int port = ServeProcess.port(dir.resolve("serve1.log"), first);
            post(port, lines, 0, 500);             // ...then a snapshot (every 500 ms)...
            awaitSnapshot(port, dir, "serve1.log");
            post(port, lines, 500, 800);           // ...and these only in the journal
            first.destroyForcibly();               // SIGKILL: no shutdown hook, no last snapshot
            assertTrue(first.waitFor(30, TimeUnit.SECONDS));
        } finally {
            first.destroyForcibly();
        }
        Process second = serve(dir, state, out, "serve2.log");
        try {
            int port = ServeProcess.port(dir.resolve("serve2.log"), second);
            post(port, lines, 800, lines.size());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (notables(out).size() < expected.size() && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            Thread.sleep(1000);   // a duplicate would show up now
            List<String> got = notables(out).stream().map(StreamEvents::comparable).toList();
            assertEquals(got.size(), new HashSet<>(got).size(), "no notable twice");
            assertEquals(expected, new TreeSet<>(got), "every acknowledged event counted once:\n"
                    + Files.readString(dir.resolve("serve2.log")));
            assertTrue(Files.readString(dir.resolve("serve2.log")).contains("state restored from"));
        } finally {
            second.destroy();
            second.waitFor(60, TimeUnit.SECONDS);
            second.destroyForcibly();
        }
    }

    /** A Sysmon process creation of {@code user} running whoami at minute {@code minute} of 2024-05-01 10:00. */
    private static String whoami(String user, int minute) {
        return "{\"SourceName\":\"Microsoft-Windows-Sysmon\",\"Channel\":\"Microsoft-Windows-Sysmon/Operational\","
                + "\"Hostname\":\"h1\",\"EventID\":1,\"@timestamp\":\"2024-05-01T10:0" + minute + ":00.000Z\","
                + "\"User\":\"" + user + "\",\"CommandLine\":\"whoami /" + minute + "\","
                + "\"Image\":\"C:\\\\Windows\\\\System32\\\\whoami.exe\",\"ProcessId\":\"10" + minute + "\"}";
    }

    @Test
    void aHalfFilledSigmaCorrelationSurvivesKillNine(@TempDir Path dir) throws Exception {
        // event_count gte 3 by User in 10 minutes: 2 events, a snapshot, kill -9; after the restart the 3rd
        // completes it: exactly one notable of the correlation. Without its window in the snapshot, none.
        String c = "11111111-0000-0000-0000-0000000000c1";
        Path sigma = Files.createDirectories(dir.resolve("sigma"));
        Files.writeString(sigma.resolve("whoami.yml"), "title: Whoami run\nid: 11111111-0000-0000-0000-00000000000a\n"
                + "name: whoami_rule\nlevel: low\nlogsource: {category: process_creation, product: windows}\n"
                + "detection:\n  sel:\n    CommandLine|contains: whoami\n  condition: sel\n");
        Files.writeString(sigma.resolve("many.yml"), "title: Many whoami\nid: " + c + "\nlevel: high\ncorrelation:\n"
                + "  type: event_count\n  rules: [whoami_rule]\n  group-by: [User]\n  timespan: 10m\n"
                + "  condition: {gte: 3}\n");
        Path state = dir.resolve("state");
        Path out = dir.resolve("notables.ndjson");
        Process first = serve(dir, state, out, "serve1.log", "--sigma", sigma.toString());
        try {
            int port = ServeProcess.port(dir.resolve("serve1.log"), first);
            assertEquals(200, postBody(port, whoami("CORP\\\\bob", 0) + "\n" + whoami("CORP\\\\bob", 1)).statusCode());
            awaitSnapshot(port, dir, "serve1.log");   // a snapshot (every 500 ms) holds the half-filled window
            first.destroyForcibly();
            assertTrue(first.waitFor(30, TimeUnit.SECONDS));
        } finally {
            first.destroyForcibly();
        }
        Process second = serve(dir, state, out, "serve2.log", "--sigma", sigma.toString());
        try {
            int port = ServeProcess.port(dir.resolve("serve2.log"), second);
            assertEquals(200, postBody(port, whoami("corp\\\\BOB", 2)).statusCode());
            // An unrelated event hours later moves event time past the notable window of 10:02.
            assertEquals(200, postBody(port, whoami("alice", 0).replace("T10:", "T14:")).statusCode());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (correlationNotables(out, c).isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            Thread.sleep(1000);   // a second one would show up now
        } finally {
            second.destroy();
            assertTrue(second.waitFor(60, TimeUnit.SECONDS));
            second.destroyForcibly();
        }
        List<String> got = correlationNotables(out, c);
        assertEquals(1, got.size(), "one correlation notable:\n" + notables(out) + "\n"
                + Files.readString(dir.resolve("serve2.log")));
        assertEquals(1, JSON.readTree(got.get(0)).path("count").asLong());
        assertTrue(Files.readString(dir.resolve("serve2.log")).contains("state restored from"));
    }

    private static List<String> correlationNotables(Path out, String id) throws IOException {
        List<String> got = new ArrayList<>();
        for (String n : notables(out)) {
            if (JSON.readTree(n).path("rule_id").asText().equals(id)) {
                got.add(n);
            }
        }
        return got;
    }

    @Test
    void aStoreThatCannotWriteAnswers503AndHealthSaysWhy(@TempDir Path dir) throws Exception {
        ServeConfig cfg = ServeConfig.defaults().withPort(0).withClock(EngineClock.eventTime(), Duration.ofMinutes(10))
                .withOutputs(dir.resolve("n.ndjson"), false, null);
        ProcwatchServer s = ProcwatchServer.start(cfg, TestRules.rulesDrl(), new PrintStream(PrintStream.nullOutputStream()),
                new DurabilityConfig(dir.resolve("state"), StateStore.Fsync.ALWAYS, Duration.ofMinutes(5)), r -> { });
        try {
            List<String> lines = StreamEvents.lines(20, 2, 7, 3);
            assertEquals(200, postBody(s.port(), String.join("\n", lines)).statusCode());
            // Evaluated first, so the failure below is the intake's append, not a late notable's record (a race
            // under load: "cannot record an emitted notable" was seen when the session thread came after the close).
            s.engine().flush();
            // The store's file goes away underneath (as a failing disk would make every write fail).
            s.durableStore().close();
            HttpResponse<String> r = postBody(s.port(), String.join("\n", lines));
            assertEquals(503, r.statusCode(), r.body());
            HttpResponse<String> h = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + "/health"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(503, h.statusCode());
            JsonNode health = JSON.readTree(h.body());
            assertEquals("cannot keep events", health.get("status").asText());
            assertTrue(health.get("stateStoreError").asText().contains("cannot append"), h.body());
        } finally {
            s.stop();
        }
    }

    @Test
    void anUnusableStateDirectoryIsRefusedAtStart(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        ServeConfig cfg = ServeConfig.defaults().withPort(0).withOutputs(dir.resolve("n.ndjson"), false, null);
        IOException e = assertThrows(IOException.class, () -> ProcwatchServer.start(cfg, TestRules.rulesDrl(),
                new PrintStream(PrintStream.nullOutputStream()),
                new DurabilityConfig(file.resolve("state"), StateStore.Fsync.ALWAYS, Duration.ofSeconds(30)), r -> { }));
        assertTrue(e.getMessage().contains("a-file"), e.getMessage());
    }

    @Test
    void notablesTheWebhookRefusedStayInTheStateAndAreDeliveredAfterKillNine(@TempDir Path dir) throws Exception {
        List<String> lines = StreamEvents.lines(600, 4, 7, 8);
        Path all = StreamEvents.write(dir.resolve("all.json"), lines, 0, lines.size());
        Set<String> expected = scansNotables(all);
        assertTrue(expected.size() > 5, "the events should give notables, got " + expected.size());
        AtomicBoolean accepting = new AtomicBoolean();
        AtomicInteger refusals = new AtomicInteger();
        List<String> received = Collections.synchronizedList(new ArrayList<>());
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", ex -> {
            byte[] body = ex.getRequestBody().readAllBytes();
            if (accepting.get()) {
                received.add(new String(body, StandardCharsets.UTF_8));
                ex.sendResponseHeaders(200, -1);
            } else {
                refusals.incrementAndGet();
                ex.sendResponseHeaders(503, -1);
            }
            ex.close();
        });
        receiver.start();
        Path state = dir.resolve("state");
        Path out = dir.resolve("notables.ndjson");
        String hook = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
        try {
            Process first = serve(dir, state, out, "serve1.log", "--webhook", hook, "--webhook-retries", "0");
            try {
                int port = ServeProcess.port(dir.resolve("serve1.log"), first);
                post(port, lines, 0, lines.size());
                waitFor(() -> metric(port, "procwatch_undelivered_notables{output=\"webhook\"}") == expected.size()
                        && metric(port, "procwatch_undelivered_notables{output=\"file\"}") == 0
                        && metric(port, "procwatch_state_delivery_retries_total{output=\"webhook\"}") >= 1, dir, "serve1.log");
                assertEquals(expected, new TreeSet<>(notables(out).stream().map(StreamEvents::comparable).toList()),
                        "the file took every notable");
                assertTrue(refusals.get() >= 1);
                assertTrue(received.isEmpty());
                JsonNode health = JSON.readTree(get(port, "/health"));
                assertEquals(expected.size(), health.get("undeliveredNotables").get("webhook").asInt(), health.toString());
                first.destroyForcibly();               // SIGKILL with every webhook notable undelivered
                assertTrue(first.waitFor(30, TimeUnit.SECONDS));
            } finally {
                first.destroyForcibly();
            }
            accepting.set(true);
            Process second = serve(dir, state, out, "serve2.log", "--webhook", hook, "--webhook-retries", "0");
            try {
                int port = ServeProcess.port(dir.resolve("serve2.log"), second);
                waitFor(() -> received.size() >= expected.size()
                        && metric(port, "procwatch_undelivered_notables{output=\"webhook\"}") == 0, dir, "serve2.log");
                Thread.sleep(1000);   // a duplicate would show up now
                List<String> got = received.stream().map(StreamEvents::comparable).toList();
                assertEquals(got.size(), new HashSet<>(got).size(), "no notable twice at the webhook");
                assertEquals(expected, new TreeSet<>(got), "the webhook got every notable after the restart");
                assertEquals(expected.size(), metric(port, "procwatch_state_delivered_total{output=\"webhook\"}"));
                List<String> file = notables(out);
                assertEquals(expected.size(), file.size(), "nothing written to the file twice");
            } finally {
                second.destroy();
                second.waitFor(60, TimeUnit.SECONDS);
                second.destroyForcibly();
            }
        } finally {
            receiver.stop(0);
        }
    }

    @Test
    void notablesAFullDiskCouldNotTakeStayInTheStateAcrossARestart(@TempDir Path dir) throws Exception {
        Path devFull = Path.of("/dev/full");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(devFull), "NOTICE: no /dev/full on this system");
        List<String> lines = StreamEvents.lines(300, 3, 7, 6);
        Path all = StreamEvents.write(dir.resolve("all.json"), lines, 0, lines.size());
        Set<String> expected = scansNotables(all);
        Path out = dir.resolve("notables.ndjson");
        Files.createSymbolicLink(out, devFull);   // every write fails with ENOSPC, as on a full disk
        ServeConfig cfg = ServeConfig.defaults().withPort(0).withClock(EngineClock.eventTime(), Duration.ofMinutes(10))
                .withOutputs(out, false, null);
        DurabilityConfig durability = new DurabilityConfig(dir.resolve("state"), StateStore.Fsync.NEVER, Duration.ofMinutes(5));
        PrintStream quiet = new PrintStream(PrintStream.nullOutputStream());
        ProcwatchServer s = ProcwatchServer.start(cfg, TestRules.rulesDrl(), quiet, durability, r -> { });
        try {
            post(s.port(), lines, 0, lines.size());
            s.engine().flush();
            int port = s.port();
            waitFor(() -> metric(port, "procwatch_undelivered_notables{output=\"file\"}") == expected.size(), dir, null);
        } finally {
            s.stop();   // the drain cannot write them either: they stay in the state
        }
        // Space returns: the link leads to a real file; the restarted service writes what the state kept.
        Path real = Files.createFile(dir.resolve("real.ndjson"));
        Files.delete(out);
        Files.createSymbolicLink(out, real);
        ProcwatchServer again = ProcwatchServer.start(cfg, TestRules.rulesDrl(), quiet, durability, r -> { });
        try {
            int port = again.port();
            waitFor(() -> metric(port, "procwatch_undelivered_notables{output=\"file\"}") == 0, dir, null);
            List<String> got = notables(real).stream().map(StreamEvents::comparable).toList();
            assertEquals(got.size(), new HashSet<>(got).size(), "no notable twice");
            assertEquals(expected, new TreeSet<>(got), "every notable written after the restart");
        } finally {
            again.stop();
        }
    }

    /** What {@code scan} gives for the file, comparable across transports ({@link StreamEvents#comparable}). */
    private static Set<String> scansNotables(Path all) throws Exception {
        List<Notable> scanned = new ArrayList<>();
        TestScan.scan(List.of(all), scanned);
        Set<String> expected = new TreeSet<>();
        for (Notable n : scanned) {
            expected.add(StreamEvents.comparable(JSON.writeValueAsString(n.fields())));
        }
        return expected;
    }

    private void waitFor(java.util.function.BooleanSupplier done, Path dir, String log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out" + (log == null ? "" : "; log:\n" + Files.readString(dir.resolve(log))));
            }
            Thread.sleep(200);
        }
    }

    /** Until a snapshot holds every batch acknowledged so far (the journal is empty right after one). */
    private void awaitSnapshot(int port, Path dir, String log) throws Exception {
        waitFor(() -> metric(port, "procwatch_state_snapshots_total") >= 1
                && metric(port, "procwatch_state_journal_batches") == 0, dir, log);
    }

    private String get(int port, String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    /** A metric's value from /metrics ({@code name} with its labels), or -1 when absent. */
    private long metric(int port, String name) {
        try {
            for (String l : get(port, "/metrics").split("\n")) {
                if (l.startsWith(name + " ")) {
                    return (long) Double.parseDouble(l.substring(name.length() + 1).strip());
                }
            }
            return -1;
        } catch (Exception e) {
            return -1;
        }
    }

    private Process serve(Path dir, Path state, Path out, String log, String... extra) throws IOException {
        List<String> args = new ArrayList<>(List.of("--rules", "rules-drl", "--port", "0", "--event-time",
                "--state-dir", state.toString(), "--snapshot-interval", "500ms", "--out", out.toString()));
        args.addAll(List.of(extra));
        return ServeProcess.start(dir, log, args);
    }

    /** Posts lines [from, to) in requests of 50; each must be acknowledged with 200. */
    private void post(int port, List<String> lines, int from, int to) throws Exception {
        for (int i = from; i < to; i += 50) {
            HttpResponse<String> r = postBody(port, String.join("\n", lines.subList(i, Math.min(to, i + 50))));
            assertEquals(200, r.statusCode(), r.body());
        }
    }

    private HttpResponse<String> postBody(int port, String body) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/events"))
                .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static List<String> notables(Path out) throws IOException {
        if (!Files.exists(out)) {
            return List.of();
        }
        List<String> got = new ArrayList<>();
        for (String l : Files.readAllLines(out, StandardCharsets.UTF_8)) {
            if (!l.isBlank()) {
                got.add(l);
            }
        }
        return got;
    }
}
