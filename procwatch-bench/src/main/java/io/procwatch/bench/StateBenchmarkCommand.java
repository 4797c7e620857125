package io.procwatch.bench;

import io.procwatch.detect.RuleSet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code procwatch-bench state}: the cost of durable state and of the Kafka mode (see {@link StateBenchmark}). */
@Command(name = "state", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Measure the Kafka mode (1/1 and 2/2 consumers/partitions against scan of the same events, checkpoint",
                "interval cost, state size per open window, restore time) and serve --state-dir (acknowledged events/s",
                "per fsync policy against no state dir). Prints wall and CPU time and ratios from one run."})
public final class StateBenchmarkCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT", description = "A Kafka broker to measure against (scripts/kafka-broker.sh start: 127.0.0.1:19092); without it the Kafka part is skipped.")
    String bootstrapServers;

    @Option(names = "--events", defaultValue = "200000", description = "Events for the Kafka and scan part (default: ${DEFAULT-VALUE}).")
    long events;

    @Option(names = "--serve-events", defaultValue = "50000", description = "Events posted to serve per variant (default: ${DEFAULT-VALUE}).")
    long serveEvents;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Path work = Files.createTempDirectory("procwatch-bench-state");
        try {
            new StateBenchmark(RuleSet.bundled(), out, work).run(bootstrapServers, events, serveEvents);
        } finally {
            try (java.util.stream.Stream<Path> s = Files.walk(work)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        return 0;
    }
}
