package io.procwatch.kafka;

import io.procwatch.state.StateCodec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Reads the latest committed checkpoint of an events partition from the compacted state topic. Partition {@code p}
 * of the events topic checkpoints to partition {@code p} of the state topic, so a restore reads one small partition
 * (compaction keeps about one record per key), from its start to its last stable offset ({@code read_committed}).
 */
final class CheckpointReader implements AutoCloseable {

    private final KafkaConsumer<String, byte[]> consumer;
    private final String stateTopic;
    private final StateCodec codec = new StateCodec();

    CheckpointReader(String bootstrapServers, String stateTopic) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(16 << 20));
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "procwatch-checkpoint-reader");
        this.consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
        this.stateTopic = stateTopic;
    }

    /** The latest checkpoint of {@code events}, or null when it has none. */
    PartitionCheckpoint latest(TopicPartition events, Duration timeout) throws IOException {
        TopicPartition tp = new TopicPartition(stateTopic, events.partition());
        consumer.assign(List.of(tp));
        consumer.seekToBeginning(List.of(tp));
        Map<TopicPartition, Long> end = consumer.endOffsets(List.of(tp), timeout);
        long stop = end.getOrDefault(tp, 0L);
        String key = PartitionCheckpoint.key(events.topic(), events.partition());
        byte[] latest = null;
        long deadline = System.nanoTime() + timeout.toNanos();
        while (consumer.position(tp, timeout) < stop) {
            if (System.nanoTime() > deadline) {
                throw new IOException("reading " + tp + " up to offset " + stop + " took longer than " + timeout);
            }
            for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                if (key.equals(r.key())) {
                    latest = r.value();   // a null value (tombstone) deletes the checkpoint
                }
            }
        }
        consumer.unsubscribe();
        if (latest == null) {
            return null;
        }
        PartitionCheckpoint c = codec.decode(latest, PartitionCheckpoint.class);
        StateCodec.checked(c.state());
        return c;
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
    }
}
