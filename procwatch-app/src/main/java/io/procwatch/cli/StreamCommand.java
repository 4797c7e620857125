package io.procwatch.cli;

import io.procwatch.detect.RuleSet;
import io.procwatch.kafka.HostRekeyer;
import io.procwatch.kafka.StreamConfig;
import io.procwatch.kafka.StreamProcessor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.Callable;

/** {@code procwatch stream}: detect on a Kafka topic as a member of a consumer group, exactly once. */
@Command(name = "stream", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Consume events from a Kafka topic as a member of a consumer group; each assigned partition has its",
                "own detection session and event-time clock. Notables, a checkpoint of each partition's detection state",
                "and the consumer offsets commit in one Kafka transaction every --checkpoint-interval (exactly once for",
                "read_committed readers). Producers key events by host (Computer), or --rekey re-keys the topic by host",
                "through an internal topic first. SIGTERM commits and leaves the group."})
public final class StreamCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    RuleOptions ruleOptions;

    @Option(names = "--bootstrap-servers", required = true, paramLabel = "HOST:PORT", description = "Kafka bootstrap servers.")
    String bootstrapServers;

    @Option(names = "--topic", required = true, paramLabel = "EVENTS", description = "The events topic (records keyed by host).")
    String topic;

    @Option(names = "--group", required = true, paramLabel = "GROUP", description = "The consumer group; its members share the partitions.")
    String group;

    @Option(names = "--notables-topic", required = true, paramLabel = "NOTABLES", description = "Where notables go: key = risk object, value = the notable JSON.")
    String notablesTopic;

    @Option(names = "--state-topic", paramLabel = "TOPIC", description = "Compacted topic of partition checkpoints (default: procwatch-state-GROUP).")
    String stateTopic;

    @Option(names = "--instance-id", paramLabel = "ID", description = "This member's stable name (default: random). A restart with the same id fences the previous process's open transaction at once.")
    String instanceId;

    @Option(names = "--checkpoint-interval", paramLabel = "DURATION", defaultValue = "5s", converter = DurationConverter.class,
            description = "How often notables, checkpoints and offsets commit (default: ${DEFAULT-VALUE}); also the notables' latency.")
    Duration checkpointInterval;

    @Option(names = "--idle-close", paramLabel = "DURATION", defaultValue = "5m", converter = DurationConverter.class,
            description = "Close a partition's open windows after this long without records, wall clock (default: ${DEFAULT-VALUE}).")
    Duration idleClose;

    @Option(names = "--lateness", paramLabel = "DURATION", defaultValue = "10m", converter = DurationConverter.class,
            description = "How far behind a partition's newest event an event may be and still land in its window (default: ${DEFAULT-VALUE}).")
    Duration lateness;

    @Option(names = "--session-timeout", paramLabel = "DURATION", defaultValue = "10s", converter = DurationConverter.class,
            description = "Consumer group session timeout: how soon a dead member's partitions move (default: ${DEFAULT-VALUE}).")
    Duration sessionTimeout;

    @Option(names = "--transaction-timeout", paramLabel = "DURATION", defaultValue = "15s", converter = DurationConverter.class,
            description = "Kafka transaction timeout: how long a dead member's unfinished checkpoint can hold up its successor (default: ${DEFAULT-VALUE}).")
    Duration transactionTimeout;

    @Option(names = "--no-create-topics", negatable = false, description = "Do not create the notables and state topics when missing.")
    boolean noCreateTopics;

    @Option(names = {"-o", "--out"}, paramLabel = "FILE", description = "Also append committed notables to FILE as NDJSON (after each commit: at least once).")
    Path out;

    @Option(names = "--webhook", paramLabel = "URL", description = "Also POST each committed notable as JSON to URL (retried as in serve; after each commit).")
    URI webhook;

    @Option(names = "--webhook-retries", defaultValue = "5", description = "Retries of a failed webhook delivery (default: ${DEFAULT-VALUE}).")
    int webhookRetries;

    @Option(names = "--risk-topic", paramLabel = "TOPIC", description = "Write risk events to TOPIC in the notables' transaction (key = risk object, value = the --risk-out JSON object).")
    String riskTopic;

    @Option(names = "--rekey", description = "The events topic is not keyed by host: copy its records, keyed by host (Computer), into an internal topic (exactly once) and detect on that. Set --lateness to cover the time skew between the topic's partitions.")
    boolean rekey;

    @Option(names = "--rekeyed-topic", paramLabel = "TOPIC", description = "With --rekey: the internal topic (default: GROUP-rekeyed; created with the events topic's partition count).")
    String rekeyedTopic;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        if (System.getProperty("org.slf4j.simpleLogger.log.io.procwatch") == null) {
            System.setProperty("org.slf4j.simpleLogger.log.io.procwatch", "info");
        }
        RuleSet rules = ruleOptions.load(err);
        if (rules == null) {
            return ExitCodes.RULES;
        }
        if (rekeyedTopic != null && !rekey) {
            err.println("procwatch stream: --rekeyed-topic needs --rekey");
            return ExitCodes.USAGE;
        }
        StreamConfig cfg = new StreamConfig(bootstrapServers, topic, group, notablesTopic,
                stateTopic != null ? stateTopic : StreamConfig.defaultStateTopic(group),
                instanceId != null ? instanceId : UUID.randomUUID().toString(), checkpointInterval, idleClose,
                lateness, sessionTimeout, transactionTimeout, !noCreateTopics, out, riskTopic, webhook, webhookRetries);
        String internal = rekeyedTopic != null ? rekeyedTopic : HostRekeyer.defaultTopic(group);
        StreamProcessor p;
        HostRekeyer rekeyer = null;
        try {
            if (rekey) {
                HostRekeyer.prepare(cfg, internal);
            }
            p = new StreamProcessor(rekey ? cfg.readingFrom(internal) : cfg, rules);
        } catch (IOException e) {
            err.println("procwatch stream: " + e.getMessage());
            return ExitCodes.USAGE;
        }
        if (rekey) {
            rekeyer = HostRekeyer.start(cfg, internal, p::stop);
        }
        HostRekeyer copying = rekeyer;
        Thread hook = new Thread(() -> {
            p.stop();
            if (copying != null) {
                copying.stop();
            }
            try {
                p.awaitFinished();
                if (copying != null) {
                    copying.awaitFinished();
                }
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        }, "procwatch-stream-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        p.run();
        if (copying != null) {
            copying.stop();
            copying.awaitFinished();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is the one stopping us
        }
        if (copying != null && copying.failure() != null) {
            err.println("procwatch stream: re-keying failed (" + copying.failure() + "); stopped so that a supervisor restarts it");
            return ExitCodes.INTERNAL;
        }
        return ExitCodes.OK;
    }
}
