package io.procwatch.kafka;

import io.procwatch.state.DetectionState;

/**
 * The value of a record of the state topic: where a partition's detection stands. Written in the same Kafka
 * transaction as the notables it led to and the consumer offset {@code nextOffset}, so the three are always
 * consistent: restoring {@code state} and consuming from {@code nextOffset} continues exactly where the last
 * committed transaction left off.
 *
 * @param topic      the events topic
 * @param partition  its partition
 * @param nextOffset the offset of the first record not yet folded into {@code state}
 * @param state      the partition's detection state
 */
public record PartitionCheckpoint(String topic, int partition, long nextOffset, DetectionState state) {

    /** The record key: one key per events partition, so compaction keeps the latest checkpoint of each. */
    public static String key(String topic, int partition) {
        return topic + ":" + partition;
    }
}
