package io.procwatch.kafka;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The topics {@code stream} needs besides the events topic: the notables topic and the compacted state topic,
 * which must have at least as many partitions as the events topic (partition p checkpoints events partition p).
 */
final class StreamTopics {

    private StreamTopics() {
    }

    /**
     * Checks the events topic exists and, when {@code create}, creates the notables topic (1 partition) and the state
     * topic (compacted, the events topic's partition count) if missing; a state topic with too few partitions is an
     * error.
     *
     * @return the events topic's partition count
     */
    static int prepare(StreamConfig c) throws IOException {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, c.bootstrapServers());
        try (Admin admin = Admin.create(p)) {
            int events = partitions(admin, c.topic())
                    .orElseThrow(() -> new IOException("events topic '" + c.topic() + "' does not exist"));
            if (c.createTopics()) {
                create(admin, new NewTopic(c.notablesTopic(), Optional.empty(), Optional.empty()));
                if (c.riskTopic() != null) {
                    create(admin, new NewTopic(c.riskTopic(), Optional.empty(), Optional.empty()));
                }
                create(admin, new NewTopic(c.stateTopic(), Optional.of(events), Optional.empty()).configs(Map.of(
                        TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT,
                        TopicConfig.MAX_MESSAGE_BYTES_CONFIG, String.valueOf(16 << 20))));
            }
            int state = partitions(admin, c.stateTopic())
                    .orElseThrow(() -> new IOException("state topic '" + c.stateTopic() + "' does not exist"));
            if (state < events) {
                throw new IOException("state topic '" + c.stateTopic() + "' has " + state + " partitions; the events topic '"
                        + c.topic() + "' has " + events + " (it needs at least as many)");
            }
            return events;
        }
    }

    /** Creates {@code topic} with {@code partitions} partitions unless it exists; returns its partition count. */
    static int ensure(String bootstrapServers, String topic, int partitions) throws IOException {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        try (Admin admin = Admin.create(p)) {
            Optional<Integer> n = partitions(admin, topic);
            if (n.isPresent()) {
                return n.get();
            }
            create(admin, new NewTopic(topic, Optional.of(partitions), Optional.empty()));
            return partitions(admin, topic).orElseThrow(() -> new IOException("topic '" + topic + "' was not created"));
        }
    }

    /**
     * For {@code --rekey}: the internal topic {@code target} with as many partitions as {@code source} (created when
     * missing and {@code create}).
     */
    static void prepareRekeyed(String bootstrapServers, String source, String target, boolean create) throws IOException {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        try (Admin admin = Admin.create(p)) {
            int n = partitions(admin, source)
                    .orElseThrow(() -> new IOException("events topic '" + source + "' does not exist"));
            if (partitions(admin, target).isEmpty()) {
                if (!create) {
                    throw new IOException("re-keyed topic '" + target + "' does not exist (--no-create-topics)");
                }
                create(admin, new NewTopic(target, Optional.of(n), Optional.empty()));
            }
        }
    }

    private static Optional<Integer> partitions(Admin admin, String topic) throws IOException {
        try {
            TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic);
            return Optional.of(d.partitions().size());
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return Optional.empty();
            }
            throw new IOException("cannot describe topic '" + topic + "': " + e.getCause(), e);
        } catch (TimeoutException e) {
            throw new IOException("cannot reach Kafka to describe topic '" + topic + "' within 30 s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
    }

    /**
     * Creates a topic unless it exists, and waits (up to 30 s) until the broker describes it: a topic just created can
     * be unknown to a describe for a moment.
     */
    private static void create(Admin admin, NewTopic t) throws IOException {
        try {
            admin.createTopics(List.of(t)).all().get(30, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (partitions(admin, t.name()).isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IOException("cannot create topic '" + t.name() + "': " + e.getCause(), e);
            }
        } catch (TimeoutException e) {
            throw new IOException("cannot create topic '" + t.name() + "' within 30 s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
    }
}
