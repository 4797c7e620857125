package io.procwatch.kafka;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@code procwatch stream} consumer in its own JVM (the test's classpath), so that a test can SIGKILL it. Its
 * standard error (the stream's log) goes to a file.
 */
final class StreamMember implements AutoCloseable {

    private final Process process;
    private final Path log;

    private StreamMember(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    static StreamMember start(Path log, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), "io.procwatch.cli.ProcwatchCli", "stream"));
        cmd.addAll(List.of(args));
        ProcessBuilder b = new ProcessBuilder(cmd);
        b.redirectErrorStream(true);
        b.redirectOutput(log.toFile());
        b.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        // Rules from the compiled-rule cache after the first member: a DRL compile per JVM costs seconds of CPU.
        b.environment().put("PROCWATCH_CACHE", io.procwatch.TestRules.subprocessRuleCache().toString());
        return new StreamMember(b.start(), log);
    }

    /** SIGKILL: no shutdown hook runs, nothing is committed. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    boolean alive() {
        return process.isAlive();
    }

    String log() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /** SIGTERM, without waiting. */
    void terminate() {
        process.destroy();
    }

    /** SIGTERM, waiting for the last commit. */
    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
