package io.procwatch.bench;

import io.procwatch.aggregate.Notable;
import io.procwatch.detect.RuleSet;
import io.procwatch.engine.EngineClock;
import io.procwatch.engine.ProcwatchEngine;
import io.procwatch.engine.ScanOptions;
import io.procwatch.engine.ScanPipeline;
import io.procwatch.kafka.EventPublisher;
import io.procwatch.kafka.HostRekeyer;
import io.procwatch.kafka.StreamConfig;
import io.procwatch.kafka.StreamProcessor;
import io.procwatch.read.InputListener;
import io.procwatch.read.evtx.EvtxReader;
import io.procwatch.serve.DurabilityConfig;
import io.procwatch.serve.ProcwatchServer;
import io.procwatch.serve.ServeConfig;
import io.procwatch.state.DetectionState;
import io.procwatch.state.StateCodec;
import io.procwatch.durable.StateStore;
import io.procwatch.write.NotableWriter;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
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
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code procwatch-bench state}: what durability and the Kafka mode cost, measured in one run on this machine.
 * Kafka: events/s with 1 consumer on 1 partition and 2 consumers on 2 partitions against {@code scan} of the same
 * events, checkpoints every 1 s against every 30 s, state bytes per open window, restore time. Serve: events/s
 * acknowledged with {@code --state-dir} (each fsync policy) against without. Prints wall time, the process's CPU
 * time (the broker is another process) and ratios.
 */
public final class StateBenchmark {

    private final RuleSet rules;
    private final PrintWriter out;
    private final Path work;

    public StateBenchmark(RuleSet rules, PrintWriter out, Path work) {
        this.rules = rules;
        this.out = out;
        this.work = work;
    }

    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private record Timing(double seconds, double cpuSeconds, long events) {
        double rate() {
            return events / seconds;
        }

        String show() {
            return String.format("%,10.0f events/s  (%.2f s wall, %.2f s CPU, %.2f µs CPU/event)", rate(), seconds,
                    cpuSeconds, cpuSeconds * 1e6 / events);
        }
    }

    /** Runs the Kafka part against {@code bootstrap} (null: skipped) and the serve part. */
    public void run(String bootstrap, long events, long serveEvents) throws Exception {
        Files.createDirectories(work);
        Path file = work.resolve("bench-events.json");
        SyntheticEvents.write(file, events, 0.01, 42);
        out.printf("procwatch-bench state: %,d synthetic Sysmon events (1%% QEMU, 50 hosts), %d cores%n", events,
                Runtime.getRuntime().availableProcessors());
        Timing scan = scan(file, events);
        out.println("scan (same events)                     " + scan.show());
        statePerWindow(file);
        if (bootstrap != null) {
            kafka(bootstrap, file, events, scan);
        } else {
            out.println("kafka: skipped (no --bootstrap-servers)");
        }
        serve(serveEvents);
        out.flush();
    }

    private Timing scan(Path file, long events) throws Exception {
        long c0 = cpuNanos();
        long t0 = System.nanoTime();
        NotableWriter w = new NotableWriter() {
            @Override
            public void write(Notable n) {
            }

            @Override
            public void close() {
            }
        };
        new ScanPipeline(rules, ScanOptions.defaults(), EvtxReader::new).run(List.of(file), w, new InputListener() {
        }, p -> {
        });
        return new Timing((System.nanoTime() - t0) / 1e9, (cpuNanos() - c0) / 1e9, events);
    }

    /** Encoded detection state per open window, from an engine stopped half-way through. */
    private void statePerWindow(Path file) throws Exception {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        try (ProcwatchEngine e = ProcwatchEngine.builder().rules(rules).clock(EngineClock.eventTime()).build()) {
            for (String l : lines.subList(0, lines.size() / 2)) {
                e.submitText(l);
            }
            DetectionState s = e.checkpoint();
            int bytes = new StateCodec().encode(s).length;
            out.printf("state: %d open windows, %,d bytes encoded (%,d bytes per open window; %,d with none open)%n",
                    s.groups().size(), bytes, s.groups().isEmpty() ? 0 : bytes / s.groups().size(),
                    new StateCodec().encode(DetectionState.empty()).length);
        }
    }

    private void kafka(String bootstrap, Path file, long events, Timing scan) throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String t1 = "bench1-" + run;
        String t2 = "bench2-" + run;
        EventPublisher.createTopicIfMissing(bootstrap, t1, 1);
        EventPublisher.createTopicIfMissing(bootstrap, t2, 2);
        long p0 = System.nanoTime();
        try (EventPublisher p = new EventPublisher(bootstrap, t1)) {
            p.publish(List.of(file), s -> { });
        }
        try (EventPublisher p = new EventPublisher(bootstrap, t2)) {
            p.publish(List.of(file), s -> { });
        }
        out.printf("kafka: published %,d events to two topics in %.1f s%n", events, (System.nanoTime() - p0) / 1e9);
        Timing one = stream(bootstrap, t1, "g1-" + run, 1, Duration.ofSeconds(1), events);
        out.println("kafka 1 consumer / 1 partition (1 s)   " + one.show() + String.format("  ratio to scan %.2f", one.rate() / scan.rate()));
        Timing two = stream(bootstrap, t2, "g2-" + run, 2, Duration.ofSeconds(1), events);
        out.println("kafka 2 consumers / 2 partitions (1 s) " + two.show() + String.format("  ratio to scan %.2f", two.rate() / scan.rate()));
        Timing slow = stream(bootstrap, t1, "g3-" + run, 1, Duration.ofSeconds(30), events);
        out.println("kafka 1/1, checkpoint every 30 s       " + slow.show()
                + String.format("  (1 s interval: %.2f of this rate)", one.rate() / slow.rate()));
        // Re-keying against the same 1/1 run again, both warm, back to back.
        Timing warm = stream(bootstrap, t1, "g5-" + run, 1, Duration.ofSeconds(1), events);
        out.println("kafka 1/1 (1 s) again, warm            " + warm.show());
        Timing rekeyed = streamRekeyed(bootstrap, t1, "g4-" + run, events);
        out.println("kafka --rekey, 1/1 (1 s)               " + rekeyed.show()
                + String.format("  (%.2f of the warm 1/1 rate, %.2f of its CPU per event)", rekeyed.rate() / warm.rate(),
                rekeyed.cpuSeconds() / warm.cpuSeconds()));
        // Restore: a new member of g1 restores the checkpoint the first run committed when it stopped.
        long t0 = System.nanoTime();
        StreamProcessor p = new StreamProcessor(config(bootstrap, t1, "g1-" + run, "restore", Duration.ofSeconds(1)), rules);
        Thread th = new Thread(p::run, "bench-restore");
        th.start();
        while (p.summary().get("restored_partitions") < 1 && System.nanoTime() - t0 < 120_000_000_000L) {
            Thread.sleep(10);
        }
        double restore = (System.nanoTime() - t0) / 1e6;
        p.stop();
        th.join();
        out.printf("kafka restore: %.0f ms from start to the partition restored (join, read checkpoint, rebuild); after"
                + " a kill add the session timeout (--session-timeout, 10 s) and, if a checkpoint was in flight, the"
                + " transaction timeout (--transaction-timeout, 15 s)%n", restore);
    }

    private StreamConfig config(String bootstrap, String topic, String group, String id, Duration interval) {
        return new StreamConfig(bootstrap, topic, group, "bench-notables-" + group, StreamConfig.defaultStateTopic(group),
                id, interval, Duration.ofMinutes(5), ScanOptions.DEFAULT_LATENESS, Duration.ofSeconds(10),
                Duration.ofSeconds(15), true, null);
    }

    private Timing stream(String bootstrap, String topic, String group, int members, Duration interval, long events)
            throws Exception {
        List<StreamProcessor> ps = new ArrayList<>();
        for (int i = 0; i < members; i++) {
            ps.add(new StreamProcessor(config(bootstrap, topic, group, "m" + i, interval), rules));
        }
        long c0 = cpuNanos();
        long t0 = System.nanoTime();
        List<Thread> threads = new ArrayList<>();
        for (StreamProcessor p : ps) {
            Thread t = new Thread(p::run, "bench-stream");
            t.start();
            threads.add(t);
        }
        while (ps.stream().mapToLong(p -> p.summary().get("records")).sum() < events) {
            Thread.sleep(5);
        }
        ps.forEach(StreamProcessor::stop);   // the last transaction commits what was read
        for (Thread t : threads) {
            t.join();
        }
        return new Timing((System.nanoTime() - t0) / 1e9, (cpuNanos() - c0) / 1e9, events);
    }

    /** One member with {@code --rekey}: the re-keying stage copies {@code topic} into an internal topic, detection reads that. */
    private Timing streamRekeyed(String bootstrap, String topic, String group, long events) throws Exception {
        StreamConfig cfg = config(bootstrap, topic, group, "m0", Duration.ofSeconds(1));
        String internal = HostRekeyer.defaultTopic(group);
        HostRekeyer.prepare(cfg, internal);
        StreamProcessor p = new StreamProcessor(cfg.readingFrom(internal), rules);
        long c0 = cpuNanos();
        long t0 = System.nanoTime();
        HostRekeyer r = HostRekeyer.start(cfg, internal, p::stop);
        Thread t = new Thread(p::run, "bench-stream");
        t.start();
        while (p.summary().get("records") < events && t.isAlive()) {
            Thread.sleep(5);
        }
        p.stop();
        r.stop();
        t.join();
        r.awaitFinished();
        return new Timing((System.nanoTime() - t0) / 1e9, (cpuNanos() - c0) / 1e9, events);
    }

    private void serve(long events) throws Exception {
        Path file = work.resolve("bench-serve.json");
        SyntheticEvents.write(file, events, 0.01, 7);
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        List<String> bodies = new ArrayList<>();
        for (int i = 0; i < lines.size(); i += 100) {
            bodies.add(String.join("\n", lines.subList(i, Math.min(lines.size(), i + 100))));
        }
        post(bodies, events, null);   // warm-up, not shown: the first variant would pay for the JIT
        Timing plain = post(bodies, events, null);
        out.println("serve, no --state-dir                  " + plain.show());
        Path never = work.resolve("state-never");
        Timing nev = post(bodies, events, new DurabilityConfig(never, StateStore.Fsync.NEVER, Duration.ofSeconds(30)));
        out.println("serve --state-dir --fsync never        " + nev.show()
                + String.format("  ratio %.2f", nev.rate() / plain.rate()));
        Path always = work.resolve("state-always");
        Timing alw = post(bodies, events, new DurabilityConfig(always, StateStore.Fsync.ALWAYS, Duration.ofSeconds(30)));
        out.println("serve --state-dir --fsync always       " + alw.show()
                + String.format("  ratio %.2f", alw.rate() / plain.rate()));
        out.println("  (HTTP POST of 100 events per request from 2 client threads in this JVM; acknowledged = 200)");
    }

    private Timing post(List<String> bodies, long events, DurabilityConfig durability) throws Exception {
        ServeConfig cfg = ServeConfig.defaults().withPort(0).withClock(EngineClock.eventTime(), ScanOptions.DEFAULT_LATENESS)
                .withOutputs(work.resolve("bench-serve-notables.ndjson"), false, null).withLimits(10L << 20, 100_000);
        ProcwatchServer s = ProcwatchServer.start(cfg, rules, new PrintStream(PrintStream.nullOutputStream()), durability, r -> { });
        HttpClient client = HttpClient.newHttpClient();
        URI uri = URI.create("http://127.0.0.1:" + s.port() + "/events");
        AtomicLong next = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        long c0 = cpuNanos();
        long t0 = System.nanoTime();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            Thread t = new Thread(() -> {
                for (long b = next.getAndIncrement(); b < bodies.size(); b = next.getAndIncrement()) {
                    try {
                        HttpResponse<Void> r = client.send(HttpRequest.newBuilder(uri)
                                .POST(HttpRequest.BodyPublishers.ofString(bodies.get((int) b))).build(),
                                HttpResponse.BodyHandlers.discarding());
                        if (r.statusCode() != 200) {
                            failed.incrementAndGet();
                        }
                    } catch (IOException | InterruptedException e) {
                        failed.incrementAndGet();
                    }
                }
            });
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            t.join();
        }
        Timing timing = new Timing((System.nanoTime() - t0) / 1e9, (cpuNanos() - c0) / 1e9, events);
        s.stop();
        if (failed.get() > 0) {
            out.println("  (" + failed.get() + " requests not acknowledged)");
        }
        return timing;
    }
}
