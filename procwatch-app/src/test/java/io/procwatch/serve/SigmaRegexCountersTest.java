package io.procwatch.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.procwatch.cli.ProcwatchCli;
import io.procwatch.detect.RuleSet;
import io.procwatch.engine.EngineClock;
import io.procwatch.sigma.SigmaRules;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 16's bounded regex, counted where an operator looks: a Sigma rule disabled because its pattern exceeded
 * the step budget shows in {@code scan}'s summary and {@code --stats} ({@code rule_counters}) and in {@code serve}'s
 * {@code /metrics}.
 */
class SigmaRegexCountersTest {

    private static final String BAD = "00000000-0000-0000-0000-0000000000c1";

    /** A back-reference (RE2/J refuses it) that backtracks catastrophically on "b aaaa…c". */
    private static Path sigmaDir(Path dir) throws Exception {
        Path sigma = Files.createDirectories(dir.resolve("sigma"));
        Files.writeString(sigma.resolve("bad.yml"), "title: hostile\nid: " + BAD + "\nlevel: high\n"
                + "logsource: {category: process_creation, product: windows}\ndetection:\n"
                + "  sel:\n    CommandLine|re: '(a|aa)+\\1b'\n  condition: sel\n");
        return sigma;
    }

    private static String event() {
        return "{\"Channel\":\"Microsoft-Windows-Sysmon/Operational\",\"EventID\":1,\"@timestamp\":\"2024-03-04T12:20:31Z\","
                + "\"Hostname\":\"wks1\",\"User\":\"CORP\\\\u1\",\"Image\":\"C:\\\\x.exe\","
                + "\"CommandLine\":\"b " + "a".repeat(48) + "c\"}\n";
    }

    @Test
    void scanCountsTheDisabledRule(@TempDir Path dir) throws Exception {
        Path sigma = sigmaDir(dir);
        Path events = dir.resolve("events.json");
        Files.writeString(events, event());
        Path stats = dir.resolve("stats.json");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream old = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = ProcwatchCli.run("scan", "--no-progress", "--sigma", sigma.toString(), "--stats", stats.toString(),
                    "-o", dir.resolve("n.json").toString(), events.toString());
        } finally {
            System.setErr(old);
        }
        String text = err.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, text);
        assertTrue(text.contains("sigma_regex_rules_disabled 1"), text);
        JsonNode json = new ObjectMapper().readTree(stats.toFile());
        assertEquals(1, json.path("rule_counters").path("sigma_regex_rules_disabled").asLong(), json.toString());
        assertEquals(0, json.path("rule_counters").path("sigma_regex_switched_to_linear").asLong(), json.toString());
        assertEquals(1, json.path("process_events").asLong());
    }

    @Test
    void metricsCountTheDisabledRule(@TempDir Path dir) throws Exception {
        RuleSet rules = SigmaRules.withDrl(null, List.of(sigmaDir(dir)), new PrintWriter(new ByteArrayOutputStream()));
        ProcwatchServer s = ProcwatchServer.start(ServeConfig.defaults().withPort(0)
                        .withClock(EngineClock.eventTime(), Duration.ofMinutes(10))
                        .withOutputs(dir.resolve("n.ndjson"), false, null),
                rules, new PrintStream(new ByteArrayOutputStream()));
        try {
            HttpClient client = HttpClient.newHttpClient();
            String before = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            assertTrue(before.contains("procwatch_sigma_regex_rules_disabled_total 0\n"), before);
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + "/events"))
                    .POST(HttpRequest.BodyPublishers.ofString(event())).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());
            s.engine().flush();
            String after = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            assertTrue(after.contains("# TYPE procwatch_sigma_regex_rules_disabled_total counter\n"), after);
            assertTrue(after.contains("procwatch_sigma_regex_rules_disabled_total 1\n"), after);
        } finally {
            s.stop();
        }
    }
}
