package io.procwatch.serve;

import io.procwatch.detect.RuleSet;
import io.procwatch.engine.EngineClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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

    @Test
    void watchedDirectoryReloadsAndKeepsOpenWindows(@TempDir Path tmp) throws Exception {
        Path rules = Files.createDirectories(tmp.resolve("rules"));
        try (Stream<Path> s = Files.list(Path.of("rules-drl"))) {
            for (Path p : s.toList()) {
                Files.copy(p, rules.resolve(p.getFileName()));
            }
        }
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
        List<String> lines = Files.readAllLines(out);
        assertEquals(2, lines.size(), lines.toString());
        assertTrue(lines.stream().anyMatch(l -> l.contains("\"rule_title\":\"Potentially Suspicious Usage Of Qemu\"") && l.contains("\"count\":2")), lines.toString());
        assertTrue(lines.stream().anyMatch(l -> l.contains("\"risk_score\":80")), lines.toString());
    }
}
