package io.procwatch.kafka;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * A topic as a {@code read_committed} reader sees it, read by assignment (no consumer group, so no join and no
 * rebalance to wait for), from the beginning of every partition.
 */
final class CommittedTopic {

    private CommittedTopic() {
    }

    /**
     * Waits until the topic holds at least {@code count} committed records (a lower bound: what arrives later is
     * read by {@link #readAll}).
     */
    static void awaitCount(String bootstrap, String topic, int count, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (KafkaConsumer<String, String> c = consumer(bootstrap, "read_committed")) {
            List<TopicPartition> tps;
            while ((tps = partitions(c, topic)).isEmpty()) {   // its writer creates it when it starts
                if (System.nanoTime() > deadline) {
                    fail("timed out after " + timeout.toSeconds() + " s waiting for topic " + topic);
                }
                sleep();
            }
            c.assign(tps);
            c.seekToBeginning(tps);
            int seen = 0;
            while (seen < count) {
                if (System.nanoTime() > deadline) {
                    fail("timed out after " + timeout.toSeconds() + " s waiting for " + count + " records on " + topic
                            + ", got " + seen);
                }
                seen += c.poll(Duration.ofMillis(200)).count();
            }
        }
    }

    /**
     * Every committed record the topic will ever hold, once its writers are gone: waits until no transaction on the
     * topic is open any more (the last stable offset of every partition equals its high watermark; a killed
     * writer's transaction is aborted by the broker after its timeout), then reads every partition to that end.
     * A record written twice is read twice.
     */
    static List<ConsumerRecord<String, String>> readAll(String bootstrap, String topic, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (KafkaConsumer<String, String> committed = consumer(bootstrap, "read_committed");
             KafkaConsumer<String, String> uncommitted = consumer(bootstrap, "read_uncommitted")) {
            List<TopicPartition> tps = partitions(committed, topic);
            if (tps.isEmpty()) {
                fail("no topic " + topic);
            }
            Map<TopicPartition, Long> end;
            while (true) {
                Map<TopicPartition, Long> highWatermarks = uncommitted.endOffsets(tps);
                end = committed.endOffsets(tps);   // read_committed: the last stable offsets
                if (end.equals(highWatermarks)) {
                    break;
                }
                if (System.nanoTime() > deadline) {
                    fail("a transaction on " + topic + " stayed open: last stable offsets " + end
                            + ", high watermarks " + highWatermarks);
                }
                sleep();
            }
            committed.assign(tps);
            committed.seekToBeginning(tps);
            List<ConsumerRecord<String, String>> out = new ArrayList<>();
            while (!reached(committed, end)) {
                if (System.nanoTime() > deadline) {
                    fail("timed out reading " + topic + " to " + end + ", read " + out.size());
                }
                for (ConsumerRecord<String, String> r : committed.poll(Duration.ofMillis(200))) {
                    out.add(r);
                }
            }
            return out;
        }
    }

    /** The values of {@link #readAll}. */
    static List<String> values(String bootstrap, String topic, Duration timeout) {
        return readAll(bootstrap, topic, timeout).stream().map(ConsumerRecord::value).toList();
    }

    private static boolean reached(KafkaConsumer<String, String> c, Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (c.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    /** The topic's partitions; none when it does not exist (yet). */
    private static List<TopicPartition> partitions(KafkaConsumer<String, String> c, String topic) {
        List<TopicPartition> tps = new ArrayList<>();
        for (PartitionInfo p : c.partitionsFor(topic, Duration.ofSeconds(30))) {
            tps.add(new TopicPartition(topic, p.partition()));
        }
        return tps;
    }

    private static KafkaConsumer<String, String> consumer(String bootstrap, String isolation) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        return new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer());
    }

    private static void sleep() {
        try {
            TimeUnit.MILLISECONDS.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
