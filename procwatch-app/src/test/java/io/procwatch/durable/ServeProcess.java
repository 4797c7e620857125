package io.procwatch.durable;

import io.procwatch.TestRules;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.fail;

/** {@code procwatch serve} in a JVM of its own, as the durable tests start, kill and restart it. */
final class ServeProcess {

    private static final Pattern LISTENING = Pattern.compile("listening on http://127\\.0\\.0\\.1:(\\d+)");

    private ServeProcess() {
    }

    /**
     * Starts {@code procwatch serve ARGS} with its output in {@code dir/log}; its rules come from the compiled-rule
     * cache after the first service (a DRL compile per JVM costs seconds of CPU), as a user's runs do.
     */
    static Process start(Path dir, String log, List<String> serveArgs) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                "io.procwatch.cli.ProcwatchCli", "serve"));
        cmd.addAll(serveArgs);
        ProcessBuilder b = new ProcessBuilder(cmd);
        b.redirectErrorStream(true);
        b.redirectOutput(dir.resolve(log).toFile());
        b.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        b.environment().put("PROCWATCH_CACHE", TestRules.subprocessRuleCache().toString());
        return b.start();
    }

    /** The port the service says it listens on (within 60 s); fails with its log when it exits or does not start. */
    static int port(Path log, Process p) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            Matcher m = LISTENING.matcher(Files.exists(log) ? Files.readString(log) : "");
            if (m.find()) {
                return Integer.parseInt(m.group(1));
            }
            if (!p.isAlive()) {
                fail("serve exited: " + Files.readString(log));
            }
            Thread.sleep(100);
        }
        fail("serve did not start: " + Files.readString(log));
        return -1;
    }
}
