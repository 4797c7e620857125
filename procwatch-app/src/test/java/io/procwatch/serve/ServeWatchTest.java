package io.procwatch.serve;

import io.procwatch.detect.RuleSet;
import io.procwatch.engine.EngineClock;
import io.procwatch.engine.ProcwatchEngine;
import io.procwatch.normalize.FieldTable;
import io.procwatch.normalize.LogSource;
import io.procwatch.normalize.ProcessEvent;
import io.procwatch.sigma.SigmaRules;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code serve --rules DIR --watch}: edits are picked up; a broken edit is refused and the running rules stay. */
class ServeWatchTest {

    static void await(BooleanSupplier condition) throws InterruptedException {
        long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < until, "timed out");
            Thread.sleep(20);
        }
    }

    /** A copy of rules-drl/ in {@code tmp}. */
    static Path copyOfRules(Path tmp) throws Exception {
        Path rules = Files.createDirectories(tmp.resolve("rules"));
        try (Stream<Path> s = Files.list(Path.of("rules-drl"))) {
            for (Path p : s.toList()) {
                Files.copy(p, rules.resolve(p.getFileName()));
            }
        }
        return rules;
    }

    @Test
    void watchedDirectoryReloadsAndKeepsOpenWindows(@TempDir Path tmp) throws Exception {
        Path rules = copyOfRules(tmp);
        Path out = tmp.resolve("n.ndjson");
        ProcwatchServer server = ProcwatchServer.start(ServeConfig.defaults().withPort(0)
                        .withClock(EngineClock.eventTime(), Duration.ofMinutes(10)).withOutputs(out, false, null),
                RuleSet.fromDirectory(rules), new PrintStream(new ByteArrayOutputStream()));
        try {
            server.watchRules(rules, Duration.ofMillis(100));
            List<String> xml = Files.readAllLines(Path.of("examples/01-sysmon-qemu.xml"));
            server.engine().submitText(xml.get(0));          // opens the WKS-FIN-07 tunnel window

            Path f = rules.resolve("windows_suspicious_qemu_execution.drl");
            String good = Files.readString(f);
            Files.writeString(f, good.replace("then\n", "then\n    insert( ;\n"));
            await(() -> server.engine().metrics().reloadFailures() == 1);
            assertEquals(0, server.engine().metrics().reloads());

            Files.writeString(f, good.replace("@riskScore( 50 )", "@riskScore( 80 )"));
            await(() -> server.engine().metrics().reloads() == 1);
            assertEquals(1, server.engine().metrics().openGroups());

            server.engine().submitText(xml.get(2));          // same tunnel, carried window
            server.engine().submitText(xml.get(3));          // WSQE with the new risk score
        } finally {
            server.stop();
        }
        List<String> all = Files.readAllLines(out);
        // The detections' notables, and the risk incident their risk events make on WKS-FIN-07: 50 + 80 > 100.
        List<String> lines = all.stream().filter(l -> !l.contains("\"risk_event_count\"")).toList();
        assertEquals(2, lines.size(), all.toString());
        assertTrue(lines.stream().anyMatch(l -> l.contains("\"rule_title\":\"Potentially Suspicious Usage Of Qemu\"") && l.contains("\"count\":2")), lines.toString());
        assertTrue(lines.stream().anyMatch(l -> l.contains("\"risk_score\":80")), lines.toString());
        List<String> incidents = all.stream().filter(l -> l.contains("\"risk_event_count\"")).toList();
        assertEquals(1, incidents.size(), all.toString());
        assertTrue(incidents.get(0).contains("\"risk_score\":130"), incidents.toString());
    }

    static final String CORRELATION = "00000000-0000-0000-0000-0000000000c1";

    static ProcessEvent whoami(long t) {
        return new ProcessEvent(FieldTable.create(), LogSource.SYSMON, 1, t, null,
                Map.of("CommandLine", "whoami", "User", "bob", "Image", "C:\\Windows\\System32\\whoami.exe"));
    }

    @Test
    void withSigmaRulesAReloadConvertsThemAgainAndCarriesCorrelationWindows(@TempDir Path tmp) throws Exception {
        // serve --rules DIR --sigma SIGMA --watch: a DRL change recompiles DIR and converts SIGMA again.
        Path rules = copyOfRules(tmp);
        Path sigma = Files.createDirectories(tmp.resolve("sigma"));
        Files.writeString(sigma.resolve("whoami.yml"), "title: whoami\nid: 00000000-0000-0000-0000-0000000000a1\n"
                + "name: whoami_rule\nlevel: high\nlogsource: {category: process_creation, product: windows}\n"
                + "detection:\n  sel:\n    CommandLine|contains: whoami\n  condition: sel\n");
        Files.writeString(sigma.resolve("three_whoami.yml"), "title: three whoami\nid: " + CORRELATION + "\n"
                + "level: high\ncorrelation:\n  type: event_count\n  rules: [whoami_rule]\n  group-by: [User]\n"
                + "  timespan: 10m\n  condition: {gt: 2}\n");
        ProcwatchEngine.RuleLoader loader = () -> SigmaRules.withDrl(rules, List.of(sigma), new PrintWriter(Writer.nullWriter()));
        RuleSet first = loader.load();
        Path out = tmp.resolve("n.ndjson");
        ProcwatchServer server = ProcwatchServer.start(ServeConfig.defaults().withPort(0)
                        .withClock(EngineClock.eventTime(), Duration.ofMinutes(10)).withOutputs(out, false, null),
                first, new PrintStream(new ByteArrayOutputStream()));
        long t0 = 1_700_000_000_000L;
        try {
            server.watchRules(Map.of(rules, List.of(".drl"), sigma, List.of(".yml", ".yaml")), loader,
                    Duration.ofMillis(100));
            server.engine().submit(whoami(t0));
            server.engine().submit(whoami(t0 + 60_000));

            Path f = rules.resolve("windows_suspicious_qemu_execution.drl");
            Files.writeString(f, Files.readString(f).replace("@riskScore( 50 )", "@riskScore( 80 )"));
            await(() -> server.engine().metrics().reloads() == 1);
            assertEquals(first.ruleCount(), server.engine().rules().ruleCount(), "the Sigma rules are still in force");

            // A Sigma file changing reloads too (serve --sigma DIR --watch): the base rule's level, not the correlation.
            Path y = sigma.resolve("whoami.yml");
            Files.writeString(y, Files.readString(y).replace("level: high", "level: critical"));
            await(() -> server.engine().metrics().reloads() == 2);
            assertEquals(90, server.engine().rules().catalog().detections().stream()
                    .filter(d -> d.id().equals("00000000-0000-0000-0000-0000000000a1")).findFirst().orElseThrow().riskScore(),
                    "the converted rule's new level is in force");

            server.engine().submit(whoami(t0 + 120_000));   // the third in 10 minutes
        } finally {
            server.stop();
        }
        List<String> lines = Files.readAllLines(out);
        assertEquals(1, lines.stream().filter(l -> l.contains(CORRELATION) && l.contains("\"count\":1")).count(), lines.toString());
    }
}
