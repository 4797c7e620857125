package io.procwatch.kafka;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.procwatch.aggregate.Notable;
import io.procwatch.detect.RuleCompileException;
import io.procwatch.detect.RuleSet;
import io.procwatch.engine.EngineMetrics;
import io.procwatch.risk.RiskEventRecord;
import io.procwatch.serve.NotableOutputs;
import io.procwatch.state.StateCodec;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
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

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code procwatch stream}: a member of a Kafka consumer group that detects on the events of the partitions it is
 * assigned, exactly once.
 *
 * <p>Each assigned partition has its own {@link PartitionDetector} (engine, event-time clock, watermark). Every
 * checkpoint interval one Kafka transaction commits, for every partition that moved: the notables closed since the
 * last checkpoint (to the notables topic), the partition's detection state (to the compacted state topic) and the
 * consumer offset of the next record ({@code sendOffsetsToTransaction}). Nothing is visible to a
 * {@code read_committed} reader before that commit, and the three commit together or not at all.
 *
 * <p>When a partition is assigned (start, rebalance, a member's death) its state is read back from the state topic
 * and consumption resumes from the checkpoint's offset; what the previous owner did after its last commit is
 * aborted and done again, giving the same notables. A partition is revoked after a last commit of what it did.
 * One thread (the caller of {@link #run()}) does all of this; the engines evaluate on their own threads.
 */
public final class StreamProcessor implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StreamProcessor.class);
    private static final Duration RESTORE_TIMEOUT = Duration.ofMinutes(2);

    private final StreamConfig cfg;
    private final RuleSet rules;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final KafkaProducer<String, byte[]> producer;
    private final CheckpointReader checkpoints;
    private final StateCodec codec = new StateCodec();
    private final ObjectMapper json = new ObjectMapper();
    private final Map<TopicPartition, PartitionDetector> detectors = new HashMap<>();
    /** {@code --out} and {@code --webhook}: the committed notables, delivered as {@code serve} delivers; or null. */
    private final NotableOutputs outputs;
    private final CountDownLatch finished = new CountDownLatch(1);
    private volatile boolean stopping;

    private final AtomicLong records = new AtomicLong();
    private final AtomicLong notables = new AtomicLong();
    private final AtomicLong riskEvents = new AtomicLong();
    private final AtomicLong commits = new AtomicLong();
    private final AtomicLong aborts = new AtomicLong();
    private final AtomicLong restores = new AtomicLong();
    private final AtomicLong checkpointBytes = new AtomicLong();
    private final AtomicLong rejectionsLogged = new AtomicLong();

    public StreamProcessor(StreamConfig cfg, RuleSet rules) throws IOException {
        this.cfg = cfg;
        this.rules = rules;
        StreamTopics.prepare(cfg);
        this.consumer = TransactionalClients.consumer(cfg, cfg.group(), "procwatch-" + cfg.instanceId(), 2000);
        this.producer = TransactionalClients.producer(cfg, cfg.transactionalId(), "procwatch-" + cfg.instanceId(), 16 << 20);
        this.checkpoints = new CheckpointReader(cfg.bootstrapServers(), cfg.stateTopic());
        this.outputs = cfg.out() == null && cfg.webhook() == null ? null
                : NotableOutputs.open(cfg.out(), cfg.webhook(), cfg.webhookRetries());
    }

    /**
     * Consumes until {@link #stop()}: then commits a last checkpoint, leaves the group and returns.
     *
     * @throws ProducerFencedException another member took over this member's transactional id (a second process
     *                                 with the same instance id): this one must stop
     */
    public void run() {
        try {
            producer.initTransactions();
            consumer.subscribe(List.of(cfg.topic()), new Rebalance());
            LOG.info("stream {} joined group '{}' on topic '{}' (notables to '{}', checkpoints to '{}' every {} ms)",
                    cfg.instanceId(), cfg.group(), cfg.topic(), cfg.notablesTopic(), cfg.stateTopic(),
                    cfg.checkpointInterval().toMillis());
            long next = System.nanoTime() + cfg.checkpointInterval().toNanos();
            while (!stopping) {
                Iterable<ConsumerRecord<byte[], byte[]>> polled;
                try {
                    polled = consumer.poll(Duration.ofMillis(100));
                } catch (WakeupException e) {
                    break;
                }
                for (ConsumerRecord<byte[], byte[]> r : polled) {
                    PartitionDetector d = detectors.get(new TopicPartition(r.topic(), r.partition()));
                    if (d != null) {
                        d.accept(r.offset(), r.value(), this::rejected);
                        records.incrementAndGet();
                    }
                }
                long now = System.nanoTime();
                if (now >= next) {
                    for (PartitionDetector d : detectors.values()) {
                        if (d.closeIfIdle(cfg.idleClose(), now)) {
                            LOG.info("partition {} idle for {} s: open windows closed", d.partition(),
                                    cfg.idleClose().toSeconds());
                        }
                    }
                    commit(new ArrayList<>(detectors.values()), true);
                    next = now + cfg.checkpointInterval().toNanos();
                }
            }
            commit(new ArrayList<>(detectors.values()), true);
        } finally {
            detectors.values().forEach(PartitionDetector::discard);
            detectors.clear();
            try {
                consumer.close(Duration.ofSeconds(10));
            } catch (RuntimeException e) {
                LOG.warn("closing the consumer: {}", e.toString());
            }
            producer.close(Duration.ofSeconds(10));
            checkpoints.close();
            if (outputs != null) {
                outputs.close(Duration.ofSeconds(10));
            }
            LOG.info("stream {} stopped: {}", cfg.instanceId(), summary());
            finished.countDown();
        }
    }

    /** Asks {@link #run()} to commit a last checkpoint and return. Thread-safe. */
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

    /** Counters so far, for the log and the benchmark. */
    public Map<String, Long> summary() {
        Map<String, Long> m = new TreeMap<>();
        m.put("records", records.get());
        m.put("notables_committed", notables.get());
        m.put("risk_events_committed", riskEvents.get());
        m.put("transactions", commits.get());
        m.put("aborted", aborts.get());
        m.put("restored_partitions", restores.get());
        m.put("checkpoint_bytes", checkpointBytes.get());
        return m;
    }

    private void rejected(String problem) {
        if (rejectionsLogged.incrementAndGet() <= 50) {
            LOG.warn("rejected: {}", problem);
        }
    }

    // ---------------------------------------------------------------- the transaction

    /**
     * Commits notables, checkpoints and offsets of the partitions that moved, in one transaction. When it fails, the
     * partitions are restored from their last committed checkpoint ({@code reassign}) or, when they are being
     * revoked, left to their next owner, who does the same.
     */
    private void commit(Collection<PartitionDetector> ds, boolean reassign) {
        List<PartitionDetector> dirty = ds.stream().filter(PartitionDetector::dirty).toList();
        if (dirty.isEmpty()) {
            return;
        }
        List<PartitionDetector.Checkpoint> cps = new ArrayList<>();
        for (PartitionDetector d : dirty) {
            cps.add(d.checkpoint());
        }
        List<Notable> sent = new ArrayList<>();
        int risks = 0;
        try {
            producer.beginTransaction();
            Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
            long bytes = 0;
            for (PartitionDetector.Checkpoint cp : cps) {
                for (Notable n : cp.notables()) {
                    Object key = n.fields().get("risk_object");
                    producer.send(new ProducerRecord<>(cfg.notablesTopic(), key == null ? null : key.toString(),
                            json.writeValueAsBytes(n.fields())));
                    sent.add(n);
                }
                if (cfg.riskTopic() != null) {
                    for (RiskEventRecord r : cp.riskEvents()) {
                        Object key = r.fields().get("risk_object");
                        producer.send(new ProducerRecord<>(cfg.riskTopic(), key == null ? null : key.toString(),
                                json.writeValueAsBytes(r.fields())));
                        risks++;
                    }
                }
                PartitionCheckpoint c = cp.checkpoint();
                byte[] state = codec.encode(c);
                bytes += state.length;
                producer.send(new ProducerRecord<>(cfg.stateTopic(), c.partition(), PartitionCheckpoint.key(c.topic(),
                        c.partition()), state));
                offsets.put(new TopicPartition(c.topic(), c.partition()), new OffsetAndMetadata(c.nextOffset()));
            }
            producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
            producer.commitTransaction();
            checkpointBytes.set(bytes);
        } catch (ProducerFencedException | InvalidProducerEpochException | FencedInstanceIdException e) {
            // Another process owns this transactional id now: stop without touching anything.
            stopping = true;
            throw e;
        } catch (KafkaException | IOException e) {
            aborts.incrementAndGet();
            LOG.warn("checkpoint transaction failed ({}); aborted, partitions restored from their last checkpoint", e.toString());
            try {
                producer.abortTransaction();
            } catch (KafkaException ex) {
                LOG.warn("abort failed: {}", ex.toString());
            }
            for (PartitionDetector d : dirty) {
                if (reassign && detectors.get(d.partition()) == d) {
                    d.discard();
                    detectors.remove(d.partition());
                    assign(d.partition());
                }
            }
            return;
        }
        commits.incrementAndGet();
        notables.addAndGet(sent.size());
        riskEvents.addAndGet(risks);
        for (PartitionDetector d : dirty) {
            d.committed();
        }
        if (!sent.isEmpty()) {
            LOG.info("committed {} notable(s), {} risk event(s); offsets {}", sent.size(), risks, offsetsOf(cps));
        } else if (LOG.isDebugEnabled()) {
            LOG.debug("committed checkpoint; offsets {}", offsetsOf(cps));
        }
        writeOut(sent);
    }

    private static String offsetsOf(List<PartitionDetector.Checkpoint> cps) {
        StringBuilder b = new StringBuilder();
        for (PartitionDetector.Checkpoint cp : cps) {
            b.append(b.isEmpty() ? "" : ", ").append(cp.checkpoint().topic()).append('-')
                    .append(cp.checkpoint().partition()).append('@').append(cp.checkpoint().nextOffset());
        }
        return b.toString();
    }

    /** After the commit: to {@code --out} and {@code --webhook} (at most once: a crash before it skips them). */
    private void writeOut(List<Notable> sent) {
        if (outputs != null) {
            sent.forEach(outputs::onNotable);
        }
    }

    // ---------------------------------------------------------------- assignment

    /**
     * Restores a partition from its latest checkpoint and seeks to the checkpoint's offset. The group's committed
     * offset is read first: with {@code read_committed} the client waits until no transaction of a previous owner is
     * pending on it, and the checkpoint read must then have reached that offset (checkpoint and offset commit in
     * one transaction; their markers may arrive a moment apart).
     */
    private void assign(TopicPartition tp) {
        try {
            OffsetAndMetadata committed = consumer.committed(Set.of(tp), RESTORE_TIMEOUT).get(tp);
            long deadline = System.nanoTime() + RESTORE_TIMEOUT.toNanos();
            PartitionCheckpoint cp = checkpoints.latest(tp, RESTORE_TIMEOUT);
            while (committed != null && (cp == null || cp.nextOffset() < committed.offset())
                    && System.nanoTime() < deadline) {
                Thread.sleep(200);
                cp = checkpoints.latest(tp, RESTORE_TIMEOUT);
            }
            long start;
            if (cp != null) {
                start = cp.nextOffset();
            } else if (committed != null) {
                LOG.warn("partition {}: no checkpoint in '{}' but offsets committed up to {}: continuing from there with"
                        + " empty detection state (the open windows before it are lost)", tp, cfg.stateTopic(), committed.offset());
                start = committed.offset();
            } else {
                start = -1;
            }
            PartitionDetector d = new PartitionDetector(tp, rules, cfg.lateness(), cp == null ? null : cp.state(),
                    Math.max(start, 0), cfg.riskTopic() != null);
            detectors.put(tp, d);
            if (start >= 0) {
                consumer.seek(tp, start);
            }
            if (cp != null) {
                restores.incrementAndGet();
                EngineMetrics m = d.engine().metrics();
                LOG.info("partition {} assigned: restored from checkpoint at offset {} ({} open windows, {} events so far)",
                        tp, start, m.openGroups(), m.processed());
            } else {
                LOG.info("partition {} assigned: no checkpoint, starting {}", tp,
                        start >= 0 ? "at offset " + start : "at the beginning");
            }
        } catch (IOException | RuleCompileException e) {
            throw new UncheckedIOException(new IOException("partition " + tp + ": cannot restore: " + e.getMessage(), e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WakeupException();
        }
    }

    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            List<PartitionDetector> leaving = new ArrayList<>();
            for (TopicPartition tp : partitions) {
                PartitionDetector d = detectors.get(tp);
                if (d != null) {
                    leaving.add(d);
                }
            }
            if (leaving.isEmpty()) {
                return;
            }
            commit(leaving, false);
            for (PartitionDetector d : leaving) {
                detectors.remove(d.partition()).discard();
                LOG.info("partition {} revoked at offset {}", d.partition(), d.nextOffset());
            }
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            for (TopicPartition tp : partitions) {
                PartitionDetector d = detectors.remove(tp);
                if (d != null) {
                    d.discard();
                    LOG.warn("partition {} lost (this member was dropped from the group); its new owner continues from"
                            + " the last checkpoint", tp);
                }
            }
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            for (TopicPartition tp : partitions) {
                if (!detectors.containsKey(tp)) {
                    assign(tp);
                }
            }
        }
    }
}
