package io.procwatch.kafka;

import org.junit.jupiter.api.Assumptions;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The real single-node Kafka broker for the tests: {@code scripts/kafka-broker.sh start} on 127.0.0.1 (port 19192,
 * or {@code PROCWATCH_TEST_KAFKA_PORT} so that two checkouts can run their tests at once; data under
 * {@code target/kafka-broker}), started once per test JVM and stopped when it exits. A test that needs
 * it skips with a NOTICE only when the broker truly cannot start (no Maven Central to resolve it, no Java).
 */
public final class KafkaTestBroker {

    static final int PORT = Integer.parseInt(System.getenv().getOrDefault("PROCWATCH_TEST_KAFKA_PORT", "19192"));
    private static String bootstrap;
    private static String failure;

    private KafkaTestBroker() {
    }

    /** The broker's address, starting it if needed; skips the calling test when it cannot start. */
    public static synchronized String bootstrapServers() {
        if (bootstrap == null && failure == null) {
            start();
        }
        Assumptions.assumeTrue(failure == null, () -> "NOTICE: Kafka broker unavailable, test skipped: " + failure);
        return bootstrap;
    }

    private static void start() {
        Path home = Path.of("target", "kafka-broker").toAbsolutePath();
        try {
            Process p = script("start", home);
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
                failure = "scripts/kafka-broker.sh start failed: " + out.strip();
                System.err.println("NOTICE: " + failure);
                return;
            }
            bootstrap = "127.0.0.1:" + PORT;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    script("stop", home).waitFor(60, TimeUnit.SECONDS);
                } catch (IOException | InterruptedException ignored) {
                    // best effort at JVM exit
                }
            }));
        } catch (IOException e) {
            failure = e.toString();
            System.err.println("NOTICE: cannot run scripts/kafka-broker.sh: " + failure);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failure = "interrupted";
        }
    }

    private static Process script(String command, Path home) throws IOException {
        ProcessBuilder b = new ProcessBuilder("bash", new File("scripts/kafka-broker.sh").getAbsolutePath(), command);
        b.environment().put("KAFKA_PORT", String.valueOf(PORT));
        b.environment().put("KAFKA_HOME", home.toString());
        // C1 only: the test broker lives for a few minutes, in which C2's compiles cost more CPU than they save.
        b.environment().put("KAFKA_JVM_OPTS", "-XX:TieredStopAtLevel=1");
        b.redirectErrorStream(true);
        Files.createDirectories(home);
        return b.start();
    }
}
