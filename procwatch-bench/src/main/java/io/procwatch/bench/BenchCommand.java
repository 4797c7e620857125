package io.procwatch.bench;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

/**
 * {@code java -jar procwatch-bench/target/procwatch-bench.jar}: throughput and heap of the pipeline against Jackson parse-only, on
 * generated events (or, with {@code --evtx} / {@code --sigma}, the EVTX reader and the Sigma corpus). A module of its own:
 * benchmarks are never part of what users run.
 */
@Command(name = "procwatch-bench", mixinStandardHelpOptions = true, subcommands = StateBenchmarkCommand.class,
        description = {"Measure the full pipeline against Jackson parse-only on the same generated events,",
                "and the heap the pipeline retains (after GC at every tenth of the input)."})
public final class BenchCommand implements Callable<Integer> {

    public static void main(String[] args) {
        System.exit(new CommandLine(new BenchCommand()).execute(args));
    }


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

    @Option(names = "--read", paramLabel = "INPUT",
            description = "Instead: time the intake alone (read, normalize, count, as a scan reader thread does) over "
                    + "INPUT (files or folders; repeatable) on one thread, --rounds times: CPU per record.")
    java.util.List<java.nio.file.Path> readInputs;

    @Option(names = "--sigma", paramLabel = "SIGMAHQ",
            description = "Instead: convert the Sigma process_creation rules under SIGMAHQ (a SigmaHQ checkout or a "
                    + "rules folder) into one KieBase, report build time and heap, and replay the process events of "
                    + "--otrf to --events through a session (one thread) and through the engine (two threads).")
    java.nio.file.Path sigma;

    @Option(names = "--otrf", paramLabel = "DIR", defaultValue = "../shared/datasets/otrf",
            description = "With --sigma: where the replayed process events are read (default: ${DEFAULT-VALUE}).")
    java.nio.file.Path otrf;

    @Option(names = "--serve", description = "Instead: load-test `serve` on a loopback port from a client process "
            + "(events/s, request p50/p99, /health p99 while --slow-clients hold half-sent headers).")
    boolean serve;

    @Option(names = "--clients", defaultValue = "8", description = "With --serve: concurrent posting clients (default: ${DEFAULT-VALUE}).")
    int clients;

    @Option(names = "--seconds", defaultValue = "20", description = "With --serve: how long to post (default: ${DEFAULT-VALUE}).")
    int seconds;

    @Option(names = "--batch", defaultValue = "100", description = "With --serve: events per request (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--slow-clients", defaultValue = "64", description = "With --serve: connections that send half a header and stall (default: ${DEFAULT-VALUE}).")
    int slowClients;

    @Option(names = "--risk", description = "Measure the risk rules' memory instead: --events events (use 10000000) over "
            + "--risk-days of event time on --risk-hosts hosts, --risk-share of them detections; heap after GC at the end of each simulated day.")
    boolean risk;

    @Option(names = "--risk-days", defaultValue = "21", description = "Event-time span of --risk (default: ${DEFAULT-VALUE}).")
    int riskDays;

    @Option(names = "--risk-hosts", defaultValue = "500", description = "Hosts of --risk (default: ${DEFAULT-VALUE}).")
    int riskHosts;

    @Option(names = "--risk-share", defaultValue = "0.0005", description = "Share of detections in --risk (default: ${DEFAULT-VALUE}).")
    double riskShare;

    @Override
    public Integer call() throws Exception {
        if (serve) {
            ServeBenchmark.run(clients, seconds, batch, slowClients, System.out);
            return 0;
        }
        if (risk) {
            RiskMemoryBenchmark.run(io.procwatch.detect.RuleSet.bundled(), events, riskDays, riskHosts,
                    riskShare, System.out);
            return 0;
        }
        if (sigma != null) {
            for (java.nio.file.Path p : java.util.List.of(sigma, otrf)) {
                if (!java.nio.file.Files.exists(p)) {
                    System.err.println("procwatch-bench: " + p + ": no such file or directory");
                    return 4;
                }
            }
            SigmaBenchmark.run(sigma, otrf, events, null);
            return 0;
        }
        if (readInputs != null) {
            IntakeBenchmark.run(readInputs, rounds, System.out);
            return 0;
        }
        if (evtxDatasets != null) {
            System.out.println(EvtxReadBenchmark.run(evtxDatasets, 1_000_000));
            return 0;
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
        return 0;
    }
}
