package io.procwatch.kafka;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.procwatch.intake.HecEnvelope;
import io.procwatch.aggregate.Notable;
import io.procwatch.detect.RuleCompileException;
import io.procwatch.detect.RuleSet;
import io.procwatch.engine.EngineClock;
import io.procwatch.engine.EventBatch;
import io.procwatch.engine.ProcwatchEngine;
import io.procwatch.risk.RiskEventRecord;
import io.procwatch.state.DetectionState;
import org.apache.kafka.common.TopicPartition;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The detection of one assigned partition: its own engine (session, event-time clock, watermark), the offset of
 * the next record to fold in, and the notables closed since the last checkpoint, which wait for the next
 * transaction. Driven by the stream's consumer thread.
 */
final class PartitionDetector {

    private final TopicPartition partition;
    private final ProcwatchEngine engine;
    /** Notables delivered since the last checkpoint; filled on the engine's session thread. */
    private final List<Notable> pending = new ArrayList<>();
    /** Risk events published since the last checkpoint (when they are kept); guarded by {@link #pending}. */
    private final List<RiskEventRecord> pendingRisk = new ArrayList<>();
    private final ObjectMapper json = new ObjectMapper();
    private long nextOffset;
    private long lastRecordNanos;
    private boolean dirty;
    private boolean windowsClosed = true;

    /**
     * @param keepRisk keep the risk events for the checkpoint's transaction ({@code --risk-topic}); else they are
     *                 counted by the engine only
     */
    PartitionDetector(TopicPartition partition, RuleSet rules, Duration lateness, DetectionState restore,
                      long nextOffset, boolean keepRisk) throws RuleCompileException, IOException {
        this.partition = partition;
        this.nextOffset = nextOffset;
        this.lastRecordNanos = System.nanoTime();
        ProcwatchEngine.Builder b = ProcwatchEngine.builder().rules(rules).clock(EngineClock.eventTime()).lateness(lateness)
                .submitTimeout(Duration.ofMinutes(10)).restore(restore).onNotable(this::collect);
        if (keepRisk) {
            b.onRiskEvent(this::collectRisk);
        }
        this.engine = b.build();
        if (restore != null && !restore.groups().isEmpty()) {
            windowsClosed = false;
        }
    }

    private void collect(Notable n) {
        synchronized (pending) {
            pending.add(n);
        }
    }

    private void collectRisk(RiskEventRecord r) {
        synchronized (pending) {
            pendingRisk.add(r);
        }
    }

    /**
     * Folds one record in: its value is parsed as any reader accepts (JSON, Winlogbeat/ECS, XML, HEC envelope
     * text), rejections are reported to {@code problems} with {@code topic-partition@offset}.
     */
    void accept(long offset, byte[] value, Consumer<String> problems) {
        if (value != null) {
            EventBatch b = engine.parse(HecEnvelope.recordText(new String(value, StandardCharsets.UTF_8), json),
                    partition + "@" + offset);
            b.rejections().forEach(problems);
            engine.submit(b);
            if (b.accepted() > 0) {
                windowsClosed = false;
            }
        }
        nextOffset = offset + 1;
        lastRecordNanos = System.nanoTime();
        dirty = true;
    }

    /** Closes the open windows when no record came for {@code idle}; true when it did. */
    boolean closeIfIdle(Duration idle, long nowNanos) {
        if (windowsClosed || nowNanos - lastRecordNanos < idle.toNanos()) {
            return false;
        }
        engine.closeOpenWindows();
        windowsClosed = true;
        dirty = true;
        return true;
    }

    /** Something to commit: records folded in or windows closed since the last checkpoint. */
    boolean dirty() {
        return dirty;
    }

    /**
     * Evaluates what was submitted, captures the state, and hands out the notables closed and risk events published
     * since the last checkpoint (they belong to the transaction that commits this checkpoint).
     */
    Checkpoint checkpoint() {
        DetectionState s = engine.checkpoint();
        List<Notable> out;
        List<RiskEventRecord> risk;
        synchronized (pending) {
            out = new ArrayList<>(pending);
            pending.clear();
            risk = new ArrayList<>(pendingRisk);
            pendingRisk.clear();
        }
        return new Checkpoint(new PartitionCheckpoint(partition.topic(), partition.partition(), nextOffset, s), out, risk);
    }

    /** The checkpoint's transaction committed. */
    void committed() {
        dirty = false;
    }

    TopicPartition partition() {
        return partition;
    }

    long nextOffset() {
        return nextOffset;
    }

    ProcwatchEngine engine() {
        return engine;
    }

    /** Stops the engine, discarding what it would still emit: a later owner restores from the last checkpoint. */
    void discard() {
        engine.close();
        synchronized (pending) {
            pending.clear();
            pendingRisk.clear();
        }
    }

    /** A partition's checkpoint and the notables and risk events it commits with. */
    record Checkpoint(PartitionCheckpoint checkpoint, List<Notable> notables, List<RiskEventRecord> riskEvents) {
    }
}
