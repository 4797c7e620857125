package io.procwatch.bench;

import io.procwatch.detect.RuleSet;
import io.procwatch.engine.EngineMetrics;
import io.procwatch.serve.ProcwatchServer;
import io.procwatch.serve.ServeConfig;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code procwatch bench --serve}: starts the service in this process on a loopback port and drives it from a
 * separate client JVM ({@link ServeLoadClient}), so client and server do not share a heap or a JIT. Reports the
 * client's figures (events/s, latency percentiles, /health latency under slow-header clients) and the server's
 * CPU seconds over the run.
 */
public final class ServeBenchmark {

    private ServeBenchmark() {
    }

    public static void run(int clients, int seconds, int batch, int slowClients, PrintStream out)
            throws IOException, InterruptedException, io.procwatch.detect.RuleCompileException {
        Path dir = Files.createTempDirectory("procwatch-bench-serve");
        Path events = dir.resolve("events.json");
        SyntheticEvents.write(events, 200_000, 0.01, 42);
        ServeConfig cfg = ServeConfig.defaults().withPort(0).withOutputs(dir.resolve("notables.ndjson"), false, null);
        ProcwatchServer server = ProcwatchServer.start(cfg, RuleSet.bundled(), new PrintStream(new ByteArrayOutputStream()));
        com.sun.management.OperatingSystemMXBean os =
                ManagementFactory.getPlatformMXBean(com.sun.management.OperatingSystemMXBean.class);
        try {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            long cpu0 = os.getProcessCpuTime();
            Process client = new ProcessBuilder(List.of(java, "-Xmx512m", "-cp", System.getProperty("java.class.path"),
                    ServeLoadClient.class.getName(), String.valueOf(server.port()), events.toString(),
                    String.valueOf(clients), String.valueOf(seconds), String.valueOf(batch), String.valueOf(slowClients)))
                    .redirectErrorStream(true).start();
            String result = new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            int code = client.waitFor();
            double serverCpu = (os.getProcessCpuTime() - cpu0) / 1e9;
            EngineMetrics m = server.engine().metrics();
            out.printf("serve load: %d clients x %d-event batches for %d s, %d slow-header clients, client in its own JVM%n",
                    clients, batch, seconds, slowClients);
            out.println(code == 0 ? result : "client failed (" + code + "): " + result);
            out.printf("server: cpu_s=%.1f processed=%d refused=%d queue_depth_now=%d cores=%d%n", serverCpu,
                    m.processed(), m.refused(), m.queueDepth(), Runtime.getRuntime().availableProcessors());
        } finally {
            server.stop();
        }
    }
}
