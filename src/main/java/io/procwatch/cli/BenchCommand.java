package io.procwatch.cli;

import io.procwatch.bench.PipelineBenchmark;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

/** {@code procwatch bench}: throughput and heap of the pipeline against Jackson parse-only, on generated events. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Measure the full pipeline against Jackson parse-only on the same generated events,",
                "and the heap the pipeline retains (after GC at every tenth of the input)."})
final class BenchCommand implements Callable<Integer> {

    @Option(names = "--events", defaultValue = "1000000", description = "Events to generate (default: ${DEFAULT-VALUE}).")
    long events;

    @Option(names = "--qemu-ratio", defaultValue = "0.01", description = "Share of QEMU events (default: ${DEFAULT-VALUE}).")
    double qemuRatio;

    @Option(names = "--rounds", defaultValue = "3", description = "Timed rounds, each printed with its own figures; "
            + "the headline is the median of the rounds after the first (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--drl", description = "Compile the bundled DRL now instead of loading the precompiled executable "
            + "model, to compare their steady-state speed.")
    boolean drl;

    @Option(names = "--evtx", paramLabel = "DATASETS",
            description = "Instead: time the EVTX reader over the .evtx files under DATASETS (looped to 1M records), "
                    + "against evtxexport on the same files when it is installed.")
    java.nio.file.Path evtxDatasets;

    @Option(names = "--sigma", paramLabel = "SIGMAHQ",
            description = "Instead: convert the Sigma process_creation rules under SIGMAHQ (a SigmaHQ checkout or a "
                    + "rules folder) into one KieBase, report build time and heap, and replay the process events of "
                    + "--otrf to --events through a session (one thread) and through the engine (two threads).")
    java.nio.file.Path sigma;

    @Option(names = "--otrf", paramLabel = "DIR", defaultValue = "../shared/datasets/otrf",
            description = "With --sigma: where the replayed process events are read (default: ${DEFAULT-VALUE}).")
    java.nio.file.Path otrf;

    @Override
    public Integer call() throws Exception {
        if (sigma != null) {
            for (java.nio.file.Path p : java.util.List.of(sigma, otrf)) {
                if (!java.nio.file.Files.exists(p)) {
                    System.err.println("procwatch bench: " + p + ": no such file or directory");
                    return ExitCodes.INPUT;
                }
            }
            io.procwatch.sigma.SigmaBenchmark.run(sigma, otrf, events, null);
            return ExitCodes.OK;
        }
        if (evtxDatasets != null) {
            System.out.println(io.procwatch.read.evtx.EvtxReadBenchmark.run(evtxDatasets, 1_000_000));
            return ExitCodes.OK;
        }
        PipelineBenchmark.Result r = PipelineBenchmark.run(events, qemuRatio, rounds, drl, System.out);
        System.out.printf("events            %,d (%,d QEMU); rules: %s%n", r.events(), r.qemuEvents(), r.rules());
        System.out.printf("ratio             wall %.2f, CPU %.2f  (pipeline / parse-only within each round; median of "
                + "rounds %s; target >= 1.0)%n", r.medianWallRatio(), r.medianCpuRatio(),
                r.rounds().size() > 1 ? "2-" + r.rounds().size() : "1");
        System.out.printf("                  wall: events/s; CPU: parse-only CPU per event over the busier pipeline "
                + "thread's (the ratio with a core per thread; on a busy machine, read this one)%n");
        System.out.printf("notables          %,d%n", r.notables());
        System.out.printf("heap after GC MiB %s  (at each tenth of the input; flat = no growth)%n", r.heapAfterGcMiB());
        return ExitCodes.OK;
    }
}
