package io.procwatch.durable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.procwatch.StreamEvents;
import io.procwatch.cli.ProcwatchCli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@code serve --state-dir --risk-out}: a risk event is written to the file exactly once although {@code kill -9}
 * makes the restarted service replay the journal (and so publish again) the risk events of every event acknowledged
 * since the last snapshot. Real service JVMs on a loopback port, real SIGKILL, real files; the reference is
 * {@code scan --risk-out} of the same events.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class DurableRiskOutTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String QEMU_DRL = "windows_suspicious_qemu_execution.drl";
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @Test
    void everyRiskEventIsWrittenOnceAcrossKillNineAndReplay(@TempDir Path dir) throws Exception {
        Path rules = throttledRules(dir);
        List<String> lines = StreamEvents.lines(1200, 8, 7, 8);
        Path all = StreamEvents.write(dir.resolve("all.json"), lines, 0, lines.size());
        Path scanRisk = dir.resolve("scan-risk.ndjson");
        assertEquals(0, ProcwatchCli.run("scan", "--no-progress", "--rules", rules.toString(), "--out",
                dir.resolve("scan-notables.ndjson").toString(), "--risk-out", scanRisk.toString(), all.toString()));
        List<String> expected = riskEvents(scanRisk);
        // The identity of a risk event (identity(): risk_event_id) is unique in the reference, whereas the notable
        // it names and its object are not: throttled results name the notable that alerted.
        Map<String, String> byIdentity = new HashMap<>();
        Map<String, Integer> byNotableAndObject = new HashMap<>();
        int throttled = 0;
        for (String l : expected) {
            JsonNode r = JSON.readTree(l);
            String previous = byIdentity.put(identity(r), l);
            assertEquals(null, previous, "two risk events of scan with one identity:\n" + previous + "\n" + l);
            byNotableAndObject.merge(r.get("notable_id").asText() + "|" + r.get("risk_object").asText(), 1, Integer::sum);
            throttled += r.get("throttled").asBoolean() ? 1 : 0;
        }
        assertTrue(expected.size() > 40, "the events should make risk events, got " + expected.size());
        assertTrue(throttled > 20, "throttled results make risk events too, got " + throttled);
        assertTrue(byNotableAndObject.values().stream().anyMatch(n -> n > 1),
                "notable_id + risk_object alone does not tell a throttled result's risk events apart");

        Path state = dir.resolve("state");
        Path out = dir.resolve("notables.ndjson");
        Path risk = dir.resolve("risk.ndjson");
        // 1: no snapshot at all (the interval is long): everything it wrote is only in the journal; kill -9.
        Process first = serve(dir, rules, state, out, risk, "serve1.log");
        try {
            int port = ServeProcess.port(dir.resolve("serve1.log"), first);
            post(port, lines, 0, 700);
            awaitProcessed(port, 700, dir, "serve1.log");
            awaitSteady(risk);
            assertTrue(riskEvents(risk).size() > 10, "risk events written before the kill: " + riskEvents(risk).size());
            first.destroyForcibly();               // SIGKILL: no shutdown hook, no last snapshot
            assertTrue(first.waitFor(30, TimeUnit.SECONDS));
        } finally {
            first.destroyForcibly();
        }
        int beforeReplay = riskEvents(risk).size();
        // 2: replays the whole journal (publishing those risk events again), takes more, and is killed again.
        Process second = serve(dir, rules, state, out, risk, "serve2.log");
        try {
            int port = ServeProcess.port(dir.resolve("serve2.log"), second);
            post(port, lines, 700, 1150);
            awaitProcessed(port, 1150, dir, "serve2.log");
            awaitSteady(risk);
            assertTrue(riskEvents(risk).size() > beforeReplay, "the second service wrote risk events of its own");
            second.destroyForcibly();
            assertTrue(second.waitFor(30, TimeUnit.SECONDS));
        } finally {
            second.destroyForcibly();
        }
        // 3: replays both runs' journal, takes the rest; then SIGTERM (a snapshot).
        Process third = serve(dir, rules, state, out, risk, "serve3.log");
        String log3;
        try {
            int port = ServeProcess.port(dir.resolve("serve3.log"), third);
            post(port, lines, 1150, lines.size());
            awaitProcessed(port, lines.size(), dir, "serve3.log");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (riskEvents(risk).size() < expected.size() && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            awaitSteady(risk);   // a duplicate would show up now
        } finally {
            third.destroy();
            assertTrue(third.waitFor(60, TimeUnit.SECONDS));
            third.destroyForcibly();
            log3 = Files.readString(dir.resolve("serve3.log"));
        }
        assertTrue(log3.contains("state restored from"), log3);
        assertExactlyOnce(expected, riskEvents(risk), log3);
        // 4: after the snapshot of the SIGTERM, a restart replays nothing and writes nothing.
        Process fourth = serve(dir, rules, state, out, risk, "serve4.log");
        try {
            ServeProcess.port(dir.resolve("serve4.log"), fourth);
            Thread.sleep(1000);
        } finally {
            fourth.destroy();
            assertTrue(fourth.waitFor(60, TimeUnit.SECONDS));
            fourth.destroyForcibly();
        }
        assertExactlyOnce(expected, riskEvents(risk), Files.readString(dir.resolve("serve4.log")));
        try (StateStore s = StateStore.open(state, StateStore.Fsync.NEVER)) {
            assertEquals(0, s.riskWrittenCount(), "the snapshot at SIGTERM pruned the risk event ids it covers");
        }
    }

    /** Each of scan's risk events once in {@code got}, nothing else: by identity, then whole. */
    private static void assertExactlyOnce(List<String> expected, List<String> got, String log) throws IOException {
        Map<String, Integer> times = new TreeMap<>();
        for (String l : got) {
            times.merge(identity(JSON.readTree(l)), 1, Integer::sum);
        }
        Map<String, Integer> twice = new TreeMap<>(times);
        twice.values().removeIf(n -> n == 1);
        assertTrue(twice.isEmpty(), twice.size() + " of " + times.size() + " risk events written more than once ("
                + got.size() + " lines), e.g. " + twice.entrySet().stream().limit(2).toList() + "\n" + log);
        Set<String> missing = new TreeSet<>(expected);
        got.forEach(missing::remove);
        Set<String> extra = new TreeSet<>(got);
        expected.forEach(extra::remove);
        assertTrue(missing.isEmpty() && extra.isEmpty(), "the risk events of scan, each once; missing " + missing.size()
                + ", e.g. " + missing.stream().limit(2).toList() + "; not scan's " + extra.size() + ", e.g. "
                + extra.stream().limit(2).toList());
        assertEquals(expected.size(), got.size());
    }

    /**
     * What tells one risk event from every other: the detection result it was made of (its own window and group,
     * which a throttled result's {@code notable_id} does not name) and the risk object.
     */
    private static String identity(JsonNode r) {
        return r.get("risk_event_id").asText();
    }

    /** rules-drl/ with {@code @throttle( fields="dest", window="1d" )} on the Splunk QEMU detection. */
    private static Path throttledRules(Path dir) throws IOException {
        Path rules = Files.createDirectories(dir.resolve("rules"));
        try (DirectoryStream<Path> s = Files.newDirectoryStream(Path.of("rules-drl"), "*.drl")) {
            for (Path p : s) {
                Files.copy(p, rules.resolve(p.getFileName().toString()));
            }
        }
        Path qemu = rules.resolve(QEMU_DRL);
        String text = Files.readString(qemu);
        String anchor = "@riskObjectType( \"system\" )";
        assertTrue(text.contains(anchor));
        Files.writeString(qemu, text.replace(anchor, anchor + "\n    @throttle( fields=\"dest\", window=\"1d\" )"));
        return rules;
    }

    private Process serve(Path dir, Path rules, Path state, Path out, Path risk, String log) throws IOException {
        // Through the compiled-rule cache, as a user's run: the executable model cannot compile @throttle's map
        // value, so the first service records that and each compiles the rules as DRL.
        return ServeProcess.start(dir, log, List.of("--rules", rules.toString(), "--port", "0", "--event-time",
                "--state-dir", state.toString(), "--snapshot-interval", "1h", "--out", out.toString(),
                "--risk-out", risk.toString()));
    }

    /** Posts lines [from, to) in requests of 50; each must be acknowledged with 200. */
    private void post(int port, List<String> lines, int from, int to) throws Exception {
        for (int i = from; i < to; i += 50) {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/events"))
                    .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(
                            String.join("\n", lines.subList(i, Math.min(to, i + 50))))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());
        }
    }

    /** Waits until the service has evaluated {@code n} process events (replayed ones included). */
    private void awaitProcessed(int port, long n, Path dir, String log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (metric(port, "procwatch_events_processed_total") < n) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting for " + n + " events processed; log:\n" + Files.readString(dir.resolve(log)));
            }
            Thread.sleep(100);
        }
    }

    /** Waits until the file has not grown for a second. */
    private static void awaitSteady(Path file) throws Exception {
        long size = -1;
        while (true) {
            long now = Files.exists(file) ? Files.size(file) : 0;
            if (now == size) {
                return;
            }
            size = now;
            Thread.sleep(1000);
        }
    }

    private long metric(int port, String name) {
        try {
            String body = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            for (String l : body.split("\n")) {
                if (l.startsWith(name + " ")) {
                    return (long) Double.parseDouble(l.substring(name.length() + 1).strip());
                }
            }
            return -1;
        } catch (Exception e) {
            return -1;
        }
    }

    private static List<String> riskEvents(Path file) throws IOException {
        if (!Files.exists(file)) {
            return List.of();
        }
        List<String> got = new ArrayList<>();
        for (String l : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (!l.isBlank()) {
                got.add(l);
            }
        }
        return got;
    }
}
