package io.procwatch.kafka;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.procwatch.intake.EventSink;
import io.procwatch.intake.EventSource;
import io.procwatch.intake.HecEnvelope;
import io.procwatch.normalize.ProcessEvent;
import io.procwatch.read.Origin;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.FencedInstanceIdException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code stream --rekey}: copies the records of a topic that is not keyed by host into an internal topic keyed by
 * host ({@code Computer}, as {@code publish} keys), so that the detection stage finds each host's events on one
 * partition. The value is copied byte for byte (the detection stage parses it as usual, and counts what it rejects);
 * only the key is new. A record that is not a process event, or has no host, keeps no key.
 *
 * <p>Exactly once: each poll's records are produced and the source offsets committed in one Kafka transaction
 * ({@code sendOffsetsToTransaction}), under its own consumer group ({@code GROUP-rekey}) and transactional id. A
 * failed transaction is aborted and the partitions are read again from their committed offsets; the detection stage
 * reads {@code read_committed}, so it sees each record once. Re-keying keeps the order within each source partition;
 * records of one host that were spread over several source partitions interleave as the partitions are read (the
 * detection stage's {@code --lateness} must cover that skew).
 */
public final class HostRekeyer implements Runnable, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HostRekeyer.class);

    private final String source;
    private final String target;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final KafkaProducer<String, byte[]> producer;
    private final EventSource parser = new EventSource();
    private final ObjectMapper json = new ObjectMapper();
    private final CountDownLatch finished = new CountDownLatch(1);
    private volatile boolean stopping;
    private volatile Throwable failure;
    private volatile Runnable onFailure = () -> { };
    private final AtomicLong copied = new AtomicLong();
    private final AtomicLong keyed = new AtomicLong();
    private final AtomicLong aborts = new AtomicLong();

    /**
     * @param cfg    the stream's settings: its bootstrap servers, group, instance id and timeouts
     * @param source the topic as producers write it (not keyed by host)
     * @param target the internal topic to write, keyed by host
     */
    private HostRekeyer(StreamConfig cfg, String source, String target) {
        this.source = source;
        this.target = target;
        this.consumer = TransactionalClients.consumer(cfg, cfg.group() + "-rekey", "procwatch-rekey-" + cfg.instanceId(), 1000);
        this.producer = TransactionalClients.producer(cfg, cfg.transactionalId() + "-rekey", "procwatch-rekey-" + cfg.instanceId(),
                16 << 20);
    }

    /** Prepares the internal topic: the source's partition count, created unless the settings forbid it. */
    public static void prepare(StreamConfig cfg, String target) throws java.io.IOException {
        StreamTopics.prepareRekeyed(cfg.bootstrapServers(), cfg.topic(), target, cfg.createTopics());
    }

    /**
     * Starts copying {@code cfg}'s events topic into {@code target} ({@link #prepare prepared}) on a thread of its
     * own; {@code onFailure} runs if it stops on its own (fenced, broker gone for good), so that the detection stage
     * does not wait for records that will not come.
     */
    public static HostRekeyer start(StreamConfig cfg, String target, Runnable onFailure) {
        HostRekeyer r = new HostRekeyer(cfg, cfg.topic(), target);
        r.onFailure = onFailure;
        Thread t = new Thread(r, "procwatch-rekey");
        t.setDaemon(true);
        t.start();
        return r;
    }

    /** The internal topic's name when none is given: one per group. */
    public static String defaultTopic(String group) {
        return group + "-rekeyed";
    }

    /** Copies until {@link #stop()}; the last poll's transaction commits first. */
    @Override
    public void run() {
        try {
            producer.initTransactions();
            consumer.subscribe(List.of(source), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    // Every poll commits before the next: nothing of a revoked partition is pending here.
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    LOG.info("re-keying {} into '{}' (keyed by host)", partitions, target);
                }
            });
            while (!stopping) {
                ConsumerRecords<byte[], byte[]> polled;
                try {
                    polled = consumer.poll(Duration.ofMillis(100));
                } catch (WakeupException e) {
                    break;
                }
                if (!polled.isEmpty()) {
                    copy(polled);
                }
            }
        } catch (ProducerFencedException | InvalidProducerEpochException | FencedInstanceIdException e) {
            failure = e;
            LOG.error("re-keying stopped: another process took over its transactional id ({})", e.toString());
        } catch (RuntimeException e) {
            failure = e;
            LOG.error("re-keying stopped: {}", e.toString());
        } finally {
            try {
                consumer.close(Duration.ofSeconds(10));
            } catch (RuntimeException e) {
                LOG.warn("closing the re-keying consumer: {}", e.toString());
            }
            producer.close(Duration.ofSeconds(10));
            LOG.info("re-keying stopped: {} records copied ({} keyed by host), {} transactions aborted",
                    copied.get(), keyed.get(), aborts.get());
            finished.countDown();
            if (failure != null) {
                onFailure.run();
            }
        }
    }

    /** One transaction: the polled records into the target, keyed by host, and the source offsets after them. */
    private void copy(ConsumerRecords<byte[], byte[]> polled) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        long withKey = 0;
        try {
            producer.beginTransaction();
            for (ConsumerRecord<byte[], byte[]> r : polled) {
                String host = r.value() == null ? null : hostOf(r.value(), r.topic() + "-" + r.partition() + "@" + r.offset());
                if (host != null) {
                    withKey++;
                }
                producer.send(new ProducerRecord<>(target, host, r.value()));
                offsets.put(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
            }
            producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
            producer.commitTransaction();
        } catch (ProducerFencedException | InvalidProducerEpochException | FencedInstanceIdException e) {
            throw e;
        } catch (KafkaException e) {
            aborts.incrementAndGet();
            LOG.warn("re-keying transaction failed ({}); aborted, reading {} again from the committed offsets",
                    e.toString(), offsets.keySet());
            try {
                producer.abortTransaction();
            } catch (KafkaException ex) {
                LOG.warn("abort failed: {}", ex.toString());
            }
            rewind(offsets.keySet());
            return;
        }
        copied.addAndGet(polled.count());
        keyed.addAndGet(withKey);
    }

    private void rewind(Set<TopicPartition> partitions) {
        Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(partitions, Duration.ofSeconds(30));
        for (TopicPartition tp : partitions) {
            OffsetAndMetadata o = committed.get(tp);
            if (o != null) {
                consumer.seek(tp, o);
            } else {
                consumer.seekToBeginning(List.of(tp));
            }
        }
    }

    /** The host of the record's process event, as the readers find it (envelopes unwrapped), or null. */
    private String hostOf(byte[] value, String origin) {
        String[] host = new String[1];
        parser.readText(HecEnvelope.recordText(new String(value, StandardCharsets.UTF_8), json), origin, new EventSink() {
            @Override
            public void processEvent(ProcessEvent e) {
                if (host[0] == null) {
                    String h = e.get("Computer");
                    host[0] = h != null && !h.isEmpty() ? h : e.get("dest");
                }
            }

            @Override
            public void rejected(Origin o, String reason) {
                // forwarded as it is: the detection stage counts and reports it
            }
        });
        return host[0] == null || host[0].isEmpty() ? null : host[0];
    }

    /** Why re-keying stopped on its own, or null. */
    public Throwable failure() {
        return failure;
    }

    /** Counters so far. */
    public Map<String, Long> summary() {
        return Map.of("rekeyed_records", copied.get(), "rekeyed_with_host", keyed.get(), "rekey_aborted", aborts.get());
    }

    /** Asks {@link #run()} to return after the current transaction. Thread-safe. */
    public void stop() {
        stopping = true;
        consumer.wakeup();
    }

    /** Waits until {@link #run()} has returned. */
    public void awaitFinished() throws InterruptedException {
        finished.await();
    }

    @Override
    public void close() {
        stop();
    }
}
