package io.procwatch.cli;

import io.procwatch.kafka.EventPublisher;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code procwatch publish}: replay any input {@code scan} reads into a Kafka topic, keyed by host. */
@Command(name = "publish", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Replay any input scan reads (EVTX, Windows event XML, JSON shapes, directories, .gz/.zip/.tar.gz)",
                "into a Kafka topic: one record per event, value = the event's fields as a flat JSON object, key = its",
                "host (Computer). Malformed records are reported as file:line and not sent."})
public final class PublishCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--bootstrap-servers", required = true, paramLabel = "HOST:PORT", description = "Kafka bootstrap servers.")
    String bootstrapServers;

    @Option(names = "--topic", required = true, paramLabel = "EVENTS", description = "The topic to write to.")
    String topic;

    @Option(names = "--partitions", paramLabel = "N", description = "Create the topic with N partitions when it does not exist (default: it must exist).")
    Integer partitions;

    @Parameters(arity = "1..*", paramLabel = "PATH", description = "Files, directories or archives to read.")
    List<Path> paths;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        int[] shown = new int[1];
        long t0 = System.nanoTime();
        EventPublisher.Result r;
        try {
            if (partitions != null) {
                EventPublisher.createTopicIfMissing(bootstrapServers, topic, partitions);
            }
        } catch (IOException e) {
            err.println("procwatch publish: " + e.getMessage());
            return ExitCodes.INTERNAL;
        }
        try (EventPublisher p = new EventPublisher(bootstrapServers, topic)) {
            r = p.publish(paths, problem -> {
                if (shown[0]++ < 50) {
                    err.println(problem);
                }
            });
        } catch (IOException e) {
            err.println("procwatch publish: " + e.getMessage());
            return ExitCodes.INTERNAL;
        }
        double s = (System.nanoTime() - t0) / 1e9;
        err.printf("procwatch publish: %d events to '%s' in %.1f s; %d rejected; %d inputs unreadable%n",
                r.published(), topic, s, r.rejected(), r.failedInputs());
        err.flush();
        return r.failedInputs() > 0 ? ExitCodes.INPUT : ExitCodes.OK;
    }
}
