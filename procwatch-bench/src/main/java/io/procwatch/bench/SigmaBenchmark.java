package io.procwatch.bench;

import io.procwatch.detect.RuleSet;
import io.procwatch.engine.DetectionSession;
import io.procwatch.intake.EventSource;
import io.procwatch.normalize.ProcessEvent;
import io.procwatch.sigma.ConversionReport;
import io.procwatch.sigma.SigmaConverter;
import io.procwatch.sigma.SigmaRules;
import io.procwatch.sigma.SigmaRuntime;
import io.procwatch.sigma.SigmaPrefilter;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Sigma on Drools, measured: every Windows process_creation rule of the SigmaHQ corpus converted and compiled
 * into one KieBase (cold build time, KieBase heap), then OTRF process events replayed to a million events
 * through a {@link DetectionSession} (events/s).
 *
 * <pre>
 * java -Xmx4g -jar target/procwatch.jar bench --sigma ../shared/datasets/sigmahq-sigma [--otrf DIR] [--events N]
 * java -cp ... io.procwatch.sigma.SigmaBenchmark [SIGMA_DIR] [OTRF_DIR] [EVENTS] [RULES_DRL_DIR]
 * </pre>
 * Defaults: ../shared/datasets/sigmahq-sigma, ../shared/datasets/otrf, 1000000, the bundled model and aggregation
 * rules. With {@code -Dprocwatch.sigma.model=true} the replays run on the rules compiled into Drools' executable
 * model (as {@code scan --sigma} caches them), with that compile's and the cache load's times printed.
 */
public final class SigmaBenchmark {

    private SigmaBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path shared = Path.of(System.getProperty("procwatch.shared", "../shared")).resolve("datasets");
        Path sigma = args.length > 0 ? Path.of(args[0]) : shared.resolve("sigmahq-sigma");
        Path otrf = args.length > 1 ? Path.of(args[1]) : shared.resolve("otrf");
        long target = args.length > 2 ? Long.parseLong(args[2]) : 1_000_000L;
        run(sigma, otrf, target, args.length > 3 ? Path.of(args[3]) : null);
    }

    /**
     * Runs the benchmark and prints its figures on standard output ({@code procwatch bench --sigma}).
     *
     * @param sigma    a SigmaHQ checkout (its rules, rules-emerging-threats and rules-threat-hunting folders) or a
     *                 folder of Sigma rules
     * @param otrf     where to read process events from (any input procwatch reads)
     * @param target   events to replay
     * @param rulesDrl the folder holding model.drl and aggregation.drl, or null for the bundled ones
     */
    public static void run(Path sigma, Path otrf, long target, Path rulesDrl) throws Exception {
        long t0 = System.nanoTime();
        ConversionReport report = convert(sigma);
        long tConv = System.nanoTime();
        Map<Path, String> drl = drl(report, rulesDrl);
        long heapBefore = usedHeap();
        long compileCpu0 = processCpuNanos();
        long tc0 = System.nanoTime();
        RuleSet rules = RuleSet.compile(drl, "sigma benchmark");
        long tc1 = System.nanoTime();
        long compileCpu1 = processCpuNanos();
        long heapAfter = usedHeap();
        if (Boolean.getBoolean("procwatch.sigma.model")) {
            // The same rules through Drools' executable model, as the compiled-rule cache of `scan --sigma` holds them
            // (compiled into a fresh cache folder: the first run of a rule set); the replays below then use it.
            Path cacheDir = Files.createTempDirectory("procwatch-bench-cache");
            long m0 = System.nanoTime();
            long mc0 = processCpuNanos();
            io.procwatch.detect.model.CompiledRuleCache cache = new io.procwatch.detect.model.CompiledRuleCache(cacheDir, "bench");
            String key = cache.key("bench", Map.of());
            RuleSet model = RuleSet.compileToCache(drl, "sigma benchmark", cache, key, "");
            long m1 = System.nanoTime();
            long mc1 = processCpuNanos();
            RuleSet loaded = RuleSet.fromCache(cache, key, "sigma benchmark (cached)");
            long m2 = System.nanoTime();
            long mc2 = processCpuNanos();
            System.out.printf("executable model: compile and store %.2f s (%.2f s CPU); load from the cache %.2f s (%.2f s CPU); %s%n",
                    (m1 - m0) / 1e9, (mc1 - mc0) / 1e9, (m2 - m1) / 1e9, (mc2 - mc1) / 1e9, model.origin());
            rules = loaded != null ? loaded : model;
        }
        long tp0 = System.nanoTime();
        SigmaPrefilter pf = SigmaRuntime.of(rules).prefilter();
        long tp1 = System.nanoTime();
        System.out.printf("rules: %d Sigma process_creation rules converted (%d files not converted: other log sources or reasons)%n",
                report.converted().size(), report.failures().size());
        System.out.printf("convert: %.2f s; compile (cold, %d DRL rules): %.2f s; prefilter build: %.3f s (%d unguarded rules)%n",
                (tConv - t0) / 1e9, rules.ruleCount(), (tc1 - tc0) / 1e9, (tp1 - tp0) / 1e9, pf.unguardedCount());
        // CPU time of the whole process (Drools builds rules on several threads): comparable on a loaded machine.
        System.out.printf("compile CPU time (process, all threads): %.2f s%n", (compileCpu1 - compileCpu0) / 1e9);
        System.out.printf("KieBase heap (used heap after GC, after minus before compile): %.1f MB%n",
                (heapAfter - heapBefore) / 1048576.0);

        List<ProcessEvent> base = new ArrayList<>(read(List.of(otrf)));
        base.sort((a, b) -> Long.compare(a.getTime(), b.getTime()));
        System.out.printf("OTRF process events: %d (Sysmon EID 1 + Security 4688)%n", base.size());
        if (base.isEmpty()) {
            return;
        }
        if (Boolean.getBoolean("procwatch.sigma.profile")) {
            System.out.println("prefilter automata: " + pf.describe());
            // Which rules Drools is asked to evaluate most often, with their guards: where a tighter guard pays.
            Map<String, Integer> perRule = new java.util.HashMap<>();
            for (ProcessEvent e : base) {
                for (io.procwatch.sigma.SigmaCandidate c : pf.candidates(e.withTime(e.getTime()))) {
                    perRule.merge(c.getRule(), 1, Integer::sum);
                }
            }
            perRule.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(25)
                    .forEach(en -> System.out.printf("  candidate in %5d of %d events: %s guard %s%n", en.getValue(),
                            base.size(), en.getKey(), pf.guard(en.getKey())));
        }
        // The prefilter alone (needle scan: which rules Drools is asked to evaluate), on fresh copies as in the replay.
        double pfMicros = Double.MAX_VALUE;
        long pfCands = 0;
        for (int round = 0; round < 60; round++) {
            List<ProcessEvent> copies = new ArrayList<>(base.size());
            for (ProcessEvent e : base) {
                copies.add(e.withTime(e.getTime()));
            }
            pfCands = 0;
            long t = System.nanoTime();
            for (ProcessEvent e : copies) {
                pfCands += pf.candidates(e).size();
            }
            pfMicros = Math.min(pfMicros, (System.nanoTime() - t) / 1e3 / copies.size());
        }
        System.out.printf("prefilter alone (best of 60 passes): %.2f us/event (%d candidates for Drools over the %d events)%n", pfMicros, pfCands, base.size());
        for (int round = 0; round < 2; round++) {
            long span = base.get(base.size() - 1).getTime() - base.get(0).getTime() + 3_600_000L;
            try (DetectionSession s = new DetectionSession(rules, true, Duration.ofMinutes(5))) {
                long n = 0;
                long notables = 0;
                java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
                long cpu0 = mx.getCurrentThreadCpuTime();
                long start = System.nanoTime();
                int rep = 0;
                outer:
                while (true) {
                    long shift = rep * Math.max(span, 3_600_000L);
                    for (ProcessEvent e : base) {
                        // A fresh event per replay (own lower-case cache), times shifted past the previous pass.
                        s.insert(e.withTime(e.getTime() + shift));
                        if (++n % 1000 == 0) {
                            notables += s.fire().size();
                        }
                        if (n >= target) {
                            break outer;
                        }
                    }
                    rep++;
                }
                notables += s.flush().size();
                double secs = (System.nanoTime() - start) / 1e9;
                double cpuMicros = (mx.getCurrentThreadCpuTime() - cpu0) / 1e3 / n;
                long matches = s.detections().matchCounts().values().stream().mapToLong(Long::longValue).sum();
                // CPU time of this (the session's only) thread: on a shared machine the wall rate also measures
                // the other load, the CPU figure much less so.
                System.out.printf("%s: %d events in %.2f s = %.0f events/s (%.2f us CPU per event = %.0f events/s of CPU);"
                                + " %d matches, %d notables%n", round == 0 ? "replay (warm-up)" : "replay", n, secs,
                        n / secs, cpuMicros, 1e6 / cpuMicros, matches, notables);
            }
        }
        // The same replay through the embedding API: this thread submits (and so prepares: the prefilter's search,
        // see DetectionSession.prepare), the engine's session thread evaluates. Two threads, as a scan has.
        for (int round = 0; round < 2; round++) {
            java.util.concurrent.atomic.AtomicLong notables = new java.util.concurrent.atomic.AtomicLong();
            long span = base.get(base.size() - 1).getTime() - base.get(0).getTime() + 3_600_000L;
            try (io.procwatch.engine.ProcwatchEngine engine = io.procwatch.engine.ProcwatchEngine.builder().rules(rules)
                    .lateness(Duration.ofMinutes(5)).onNotable(x -> notables.incrementAndGet()).build()) {
                long n = 0;
                long start = System.nanoTime();
                List<ProcessEvent> batch = new ArrayList<>(1000);
                outer:
                for (int rep = 0; ; rep++) {
                    long shift = rep * Math.max(span, 3_600_000L);
                    for (ProcessEvent e : base) {
                        batch.add(e.withTime(e.getTime() + shift));
                        n++;
                        if (batch.size() == 1000 || n >= target) {
                            engine.submit(new io.procwatch.engine.EventBatch(batch, batch.size(), 0, List.of()));
                            batch = new ArrayList<>(1000);
                        }
                        if (n >= target) {
                            break outer;
                        }
                    }
                }
                engine.flush();
                double secs = (System.nanoTime() - start) / 1e9;
                System.out.printf("%s: %d events in %.2f s = %.0f events/s; %d notables%n",
                        round == 0 ? "engine replay, 2 threads (warm-up)" : "engine replay, 2 threads", n, secs,
                        n / secs, notables.get());
            }
        }
    }

    /** CPU time of this process so far, all threads (-1 when the JVM does not tell). */
    static long processCpuNanos() {
        java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() : -1;
    }

    static long usedHeap() throws InterruptedException {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return rt.totalMemory() - rt.freeMemory();
    }

    /** Converts the SigmaHQ checkout's rule folders (or {@code sigma} itself when it has none of them). */
    public static ConversionReport convert(Path sigma) throws java.io.IOException {
        List<Path> dirs = new ArrayList<>();
        for (String d : List.of("rules", "rules-emerging-threats", "rules-threat-hunting")) {
            if (Files.isDirectory(sigma.resolve(d))) {
                dirs.add(sigma.resolve(d));
            }
        }
        return SigmaConverter.standard().convertAll(dirs.isEmpty() ? List.of(sigma) : dirs);
    }

    /** The converted rules with the bundled model, aggregation, throttle and risk DRL ({@code rulesDrl}'s when given). */
    public static Map<Path, String> drl(ConversionReport report, Path rulesDrl) throws java.io.IOException {
        Map<Path, String> drl = new LinkedHashMap<>();
        Map<Path, String> bundled = rulesDrl == null ? SigmaRules.bundledDrl() : Map.of();
        for (String f : List.of("model.drl", "aggregation.drl", "throttle.drl", "risk.drl")) {
            if (rulesDrl != null) {
                drl.put(rulesDrl.resolve(f), Files.readString(rulesDrl.resolve(f)));
            } else {
                bundled.forEach((path, text) -> {
                    if (path.getFileName().toString().equals(f)) {
                        drl.put(path, text);
                    }
                });
            }
        }
        drl.putAll(SigmaRules.toDrl(report, Path.of("sigma"), Set.of()));
        return drl;
    }

    /** Every usable process event under the paths, in reading order (records that are not are skipped). */
    public static List<ProcessEvent> read(List<Path> paths) {
        return new EventSource().readProcessEvents(paths);
    }
}
