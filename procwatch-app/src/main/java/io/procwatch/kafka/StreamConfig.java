package io.procwatch.kafka;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of {@code procwatch stream}: where events come from, where notables and checkpoints go, and the timing
 * of checkpoints, idle partitions and fail-over.
 *
 * @param bootstrapServers   Kafka bootstrap servers, {@code host:port[,host:port…]}
 * @param topic              the events topic (records keyed by host)
 * @param group              the consumer group: its members share the partitions
 * @param notablesTopic      where notables go (key = risk object, value = the notable JSON)
 * @param stateTopic         the compacted topic of partition checkpoints (one partition per events partition)
 * @param instanceId         this member's name, part of its transactional id: a restarted member with the same id
 *                           fences its predecessor's open transaction at once instead of waiting for its timeout
 * @param checkpointInterval how often notables, checkpoints and offsets commit (one Kafka transaction)
 * @param idleClose          wall-clock time without records after which a partition closes its open windows
 * @param lateness           late-event allowance within a partition (event time)
 * @param sessionTimeout     the consumer group session timeout: how long a dead member holds its partitions
 * @param transactionTimeout how long a dead member's open transaction blocks its partitions' successor
 * @param createTopics       create the notables and state topics when they do not exist
 * @param out                also append committed notables to this NDJSON file (null: no file)
 * @param riskTopic          where risk events go, in the notables' transaction (key = risk object, value = the
 *                           {@code --risk-out} JSON object); null: risk events are not written
 * @param webhook            also POST committed notables to this URL (null: no webhook)
 * @param webhookRetries     retries of a failed webhook delivery
 */
public record StreamConfig(String bootstrapServers, String topic, String group, String notablesTopic,
                           String stateTopic, String instanceId, Duration checkpointInterval, Duration idleClose,
                           Duration lateness, Duration sessionTimeout, Duration transactionTimeout,
                           boolean createTopics, Path out, String riskTopic, URI webhook, int webhookRetries) {

    /** Notables to the topic (and {@code out}) only: no risk topic, no webhook. */
    public StreamConfig(String bootstrapServers, String topic, String group, String notablesTopic,
                        String stateTopic, String instanceId, Duration checkpointInterval, Duration idleClose,
                        Duration lateness, Duration sessionTimeout, Duration transactionTimeout,
                        boolean createTopics, Path out) {
        this(bootstrapServers, topic, group, notablesTopic, stateTopic, instanceId, checkpointInterval, idleClose,
                lateness, sessionTimeout, transactionTimeout, createTopics, out, null, null, 0);
    }

    public StreamConfig {
        Objects.requireNonNull(bootstrapServers);
        Objects.requireNonNull(topic);
        Objects.requireNonNull(group);
        Objects.requireNonNull(notablesTopic);
        Objects.requireNonNull(stateTopic);
        Objects.requireNonNull(instanceId);
    }

    /** The state topic when none is given: one per group. */
    public static String defaultStateTopic(String group) {
        return "procwatch-state-" + group;
    }

    /** The same settings reading {@code events} instead (the re-keyed topic of {@code --rekey}). */
    public StreamConfig readingFrom(String events) {
        return new StreamConfig(bootstrapServers, events, group, notablesTopic, stateTopic, instanceId,
                checkpointInterval, idleClose, lateness, sessionTimeout, transactionTimeout, createTopics, out, riskTopic,
                webhook, webhookRetries);
    }

    /** The transactional id of this member. */
    String transactionalId() {
        return "procwatch-" + group + "-" + instanceId;
    }
}
