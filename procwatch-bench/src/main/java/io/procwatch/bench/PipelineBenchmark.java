package io.procwatch.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.procwatch.detect.RuleSet;
import io.procwatch.engine.ScanOptions;
import io.procwatch.engine.ScanPipeline;
import io.procwatch.engine.ScanStats;
import io.procwatch.read.InputListener;
import io.procwatch.read.evtx.EvtxReader;

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

    /**
     * One round: parse-only and then the pipeline over the same file, each with its own wall rate and CPU per event.
     * Ratios are taken within the round only.
     */
    public record Round(int round, double parseOnlyPerSec, double pipelinePerSec, double parseOnlyCpuMicros,
                        double readerCpuMicros, double sessionCpuMicros) {
        /** Pipeline events/s over parse-only events/s, this round. */
        public double wallRatio() {
            return pipelinePerSec / parseOnlyPerSec;
        }

        /** Parse-only CPU per event over the busier pipeline thread's: the ratio with a core per thread. */
        public double cpuRatio() {
            return parseOnlyCpuMicros / Math.max(readerCpuMicros, sessionCpuMicros);
        }
    }

    /** The figures of one run: every round, the notables, the heap profile and which rules ran. */
    public record Result(long events, long qemuEvents, List<Round> rounds, long notables, List<Long> heapAfterGcMiB,
                         String rules) {
        /** The rounds after the first (JIT warm-up), or the only one. */
        public List<Round> warmRounds() {
            return rounds.size() > 1 ? rounds.subList(1, rounds.size()) : rounds;
        }

        /** Median of the warm rounds' within-round wall ratios. */
        public double medianWallRatio() {
            return median(warmRounds().stream().mapToDouble(Round::wallRatio).toArray());
        }

        /** Median of the warm rounds' within-round CPU ratios. */
        public double medianCpuRatio() {
            return median(warmRounds().stream().mapToDouble(Round::cpuRatio).toArray());
        }

        private static double median(double[] v) {
            java.util.Arrays.sort(v);
            return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
        }
    }

    private static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory.getThreadMXBean();

    private PipelineBenchmark() {
    }

    /**
     * @param drlBuilt true to compile the bundled DRL now instead of loading the precompiled executable model (to
     *                 compare their steady-state speed)
     */
    public static Result run(long events, double qemuRatio, int rounds, boolean drlBuilt, PrintStream log) throws Exception {
        Path file = Files.createTempFile("procwatch-bench-", ".json");
        try {
            long t0 = System.nanoTime();
            long qemu = SyntheticEvents.write(file, events, qemuRatio, 42);
            log.printf("generated %,d events (%,d QEMU) in %.1f s, %,d MiB: %s%n", events, qemu,
                    (System.nanoTime() - t0) / 1e9, Files.size(file) >> 20, file);
            RuleSet rules = drlBuilt ? RuleSet.bundledDrl() : RuleSet.bundled();
            log.printf("rules: %s%n", rules.origin());
            List<Round> done = new ArrayList<>();
            long notables = 0;
            for (int r = 1; r <= rounds; r++) {
                long c0 = THREADS.getCurrentThreadCpuTime();
                double parse = parseOnly(file, events);
                double parseCpu = (THREADS.getCurrentThreadCpuTime() - c0) / 1e3 / events;
                long[] n = new long[1];
                ScanStats[] st = new ScanStats[1];
                double pipe = pipeline(rules, file, n, null, st);
                notables = n[0];
                Round round = new Round(r, parse, pipe, parseCpu, st[0].readerCpuNanos() / 1e3 / events,
                        st[0].sessionCpuNanos() / 1e3 / events);
                done.add(round);
                log.printf("round %d: parse-only %,.0f events/s, %.2f CPU us/event | pipeline %,.0f events/s, CPU us/event "
                                + "reader %.2f, session %.2f | ratio wall %.2f, CPU %.2f%s%n", r, parse, parseCpu, pipe,
                        round.readerCpuMicros(), round.sessionCpuMicros(), round.wallRatio(), round.cpuRatio(),
                        r == 1 && rounds > 1 ? "  (JIT warm-up)" : "");
            }
            List<Long> heap = heapProfile(rules, file);
            return new Result(events, qemu, done, notables, heap, rules.origin());
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

    private static io.procwatch.engine.NotableListener counting(long[] n) {
        return notable -> n[0]++;
    }
}
