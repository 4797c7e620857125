package io.procwatch.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.procwatch.aggregate.Notable;
import io.procwatch.detect.RuleSet;
import io.procwatch.engine.ScanOptions;
import io.procwatch.engine.ScanPipeline;
import io.procwatch.engine.ScanStats;
import io.procwatch.read.InputListener;
import io.procwatch.read.evtx.EvtxReader;
import io.procwatch.write.NotableWriter;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Measures, on the same generated file, Jackson parse-only (read each line, {@code readTree}) against the full
 * scan pipeline (read, normalize, Drools detections, CEP notables), and the heap the pipeline retains as it
 * goes. Run through {@code procwatch bench}; see README for the figures measured here.
 */
public final class PipelineBenchmark {

    /** The figures of one run. */
    public record Result(long events, long qemuEvents, double parseOnlyPerSec, double pipelinePerSec,
                         long notables, List<Long> heapAfterGcMiB, Cpu cpu) {
        public double ratio() {
            return pipelinePerSec / parseOnlyPerSec;
        }
    }

    /**
     * CPU microseconds per event of the best round: parse-only, and the pipeline's two threads. Unlike wall-clock
     * rates these do not depend on what else the machine runs; the pipeline's rate is bound by its busier thread.
     */
    public record Cpu(double parseOnlyMicros, double readerMicros, double sessionMicros) {
        /** The ratio the pipeline reaches when each of its threads has a core to itself. */
        public double ratio() {
            return parseOnlyMicros / Math.max(readerMicros, sessionMicros);
        }
    }

    private static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory.getThreadMXBean();

    private PipelineBenchmark() {
    }

    public static Result run(long events, double qemuRatio, int rounds, PrintStream log) throws Exception {
        Path file = Files.createTempFile("procwatch-bench-", ".json");
        try {
            long t0 = System.nanoTime();
            long qemu = SyntheticEvents.write(file, events, qemuRatio, 42);
            log.printf("generated %,d events (%,d QEMU) in %.1f s, %,d MiB: %s%n", events, qemu,
                    (System.nanoTime() - t0) / 1e9, Files.size(file) >> 20, file);
            RuleSet rules = RuleSet.bundled();
            double bestParse = 0;
            double bestPipe = 0;
            long notables = 0;
            double cpuParse = Double.MAX_VALUE;
            double cpuReader = Double.MAX_VALUE;
            double cpuSession = Double.MAX_VALUE;
            for (int r = 1; r <= rounds; r++) {
                long c0 = THREADS.getCurrentThreadCpuTime();
                double parse = parseOnly(file, events);
                cpuParse = Math.min(cpuParse, (THREADS.getCurrentThreadCpuTime() - c0) / 1e3 / events);
                long[] n = new long[1];
                ScanStats[] st = new ScanStats[1];
                double pipe = pipeline(rules, file, n, null, st);
                notables = n[0];
                double reader = st[0].readerCpuNanos() / 1e3 / events;
                double session = st[0].sessionCpuNanos() / 1e3 / events;
                log.printf("round %d: parse-only %,.0f events/s, pipeline %,.0f events/s (%.2f); CPU us/event: "
                        + "parse-only %.2f, reader %.2f, session %.2f%n", r, parse, pipe, pipe / parse,
                        (THREADS.getCurrentThreadCpuTime() - c0) > 0 ? cpuParse : 0, reader, session);
                bestParse = Math.max(bestParse, parse);
                bestPipe = Math.max(bestPipe, pipe);
                if (Math.max(reader, session) < Math.max(cpuReader, cpuSession)) {
                    cpuReader = reader;
                    cpuSession = session;
                }
            }
            List<Long> heap = heapProfile(rules, file);
            return new Result(events, qemu, bestParse, bestPipe, notables, heap, new Cpu(cpuParse, cpuReader, cpuSession));
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** Reads every line and parses it to a Jackson tree: what any JSON consumer pays at least. */
    static double parseOnly(Path file, long expected) throws IOException {
        ObjectMapper mapper = new ObjectMapper();
        long start = System.nanoTime();
        long n = 0;
        long sink = 0;
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            while ((line = r.readLine()) != null) {
                JsonNode node = mapper.readTree(line);
                sink += node.size();
                n++;
            }
        }
        if (n != expected || sink == 0) {
            throw new IllegalStateException("parse-only read " + n + " of " + expected);
        }
        return n / ((System.nanoTime() - start) / 1e9);
    }

    static double pipeline(RuleSet rules, Path file, long[] notables, InputListener listener, ScanStats[] out)
            throws Exception {
        ScanPipeline p = new ScanPipeline(rules, ScanOptions.defaults(), EvtxReader::new);
        long start = System.nanoTime();
        ScanStats s = p.run(List.of(file), counting(notables), listener != null ? listener : new InputListener() {
        }, problem -> {
            throw new IllegalStateException("unexpected problem in generated data: " + problem);
        });
        out[0] = s;
        return s.processEvents() / ((System.nanoTime() - start) / 1e9);
    }

    /** Heap after a full GC at every tenth of the input, while the pipeline runs: flat means no growth. */
    static List<Long> heapProfile(RuleSet rules, Path file) throws Exception {
        long size = Files.size(file);
        List<Long> samples = new ArrayList<>();
        long[] read = new long[1];
        long[] next = {size / 10};
        pipeline(rules, file, new long[1], new InputListener() {
            @Override
            public void bytesRead(long n) {
                read[0] += n;
                if (read[0] >= next[0]) {
                    next[0] += size / 10;
                    samples.add(usedAfterGc());
                }
            }
        }, new ScanStats[1]);
        return samples;
    }

    static long usedAfterGc() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() >> 20;
    }

    private static NotableWriter counting(long[] n) {
        return new NotableWriter() {
            @Override
            public void write(Notable notable) {
                n[0]++;
            }

            @Override
            public void close() {
            }
        };
    }
}
