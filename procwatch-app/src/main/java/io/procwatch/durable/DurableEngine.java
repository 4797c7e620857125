package io.procwatch.durable;

import io.procwatch.detect.RuleCompileException;
import io.procwatch.engine.EventBatch;
import io.procwatch.engine.NotableListener;
import io.procwatch.engine.ProcwatchEngine;
import io.procwatch.normalize.ProcessEvent;
import io.procwatch.risk.RiskEventListener;
import io.procwatch.state.DetectionState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link ProcwatchEngine} whose accepted events survive the process: each batch is journaled in a
 * {@link StateStore} before it is queued (so an acknowledgement can follow), the detection state is snapshotted at
 * an interval (and at {@link #close()}), and a new instance on the same directory restores the snapshot and replays
 * the journal after it. Notables whose id was already emitted are not emitted again, and risk events whose id
 * ({@code risk_event_id}) was already written are not written again.
 *
 * <p>Tracked outputs ({@link DurableOutput}: {@code --out}, {@code --webhook}) take their notables from the store,
 * where each notable is recorded with its id: one the output has not taken yet (receiver down, disk full, the process
 * ended) stays there and is delivered later, after a restart too.
 *
 * <p>The risk listener ({@code --risk-out}) is guarded the same way, write first: a risk event is handed to it, then
 * its id is recorded (one commit, per the fsync policy). A replay skips the ids recorded, and the one risk event
 * written but not recorded when the process was killed is recognised by the file as its last line; none is lost.
 *
 * <p>{@link #close()} snapshots and stops <em>without</em> closing the open windows: they continue at the next start
 * on the same directory (a redeploy does not cut windows short).
 */
public final class DurableEngine implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DurableEngine.class);

    private final StateStore store;
    private final ProcwatchEngine engine;
    private final Object intake = new Object();
    private final ScheduledExecutorService snapshots;
    private final AtomicLong duplicatesSuppressed = new AtomicLong();
    private final AtomicLong riskDuplicatesSuppressed = new AtomicLong();
    private final AtomicLong replayedEvents = new AtomicLong();
    private final AtomicLong snapshotsTaken = new AtomicLong();
    private volatile boolean discarding;
    private volatile long restoreMillis;
    private final List<OutboxDrainer> drainers = new ArrayList<>();

    private DurableEngine(StateStore store, ProcwatchEngine.Builder builder, NotableListener downstream,
                          List<DurableOutput> tracked, RiskEventListener risk, Duration snapshotInterval)
            throws IOException, RuleCompileException {
        this.store = store;
        List<String> outputNames = tracked.stream().map(DurableOutput::name).toList();
        ObjectMapper json = new ObjectMapper();
        long t0 = System.nanoTime();
        DetectionState snapshot = store.snapshot();
        long base = snapshot == null ? 0 : snapshot.counters().getOrDefault("notables", 0L);
        AtomicLong delivered = new AtomicLong(base);
        NotableListener guard = n -> {
            long ordinal = delivered.incrementAndGet();
            if (discarding) {
                return;
            }
            boolean first;
            boolean kept = false;
            try {
                first = store.emit(n.id(), ordinal, json.writeValueAsBytes(n.fields()), outputNames);
                kept = true;
            } catch (StateStoreException | IOException e) {
                first = true;   // cannot record it: emitting twice after a crash beats losing it now
                LOG.error("{}", e.getMessage());
            }
            if (first) {
                downstream.onNotable(n);
                if (kept) {
                    drainers.forEach(OutboxDrainer::wake);
                } else {
                    tracked.forEach(o -> o.deliver(jsonOf(json, n)));   // once, without the state's help
                }
            } else {
                duplicatesSuppressed.incrementAndGet();
            }
        };
        builder.restore(snapshot).onNotable(guard);
        if (risk != null) {
            long riskBase = snapshot == null ? 0 : snapshot.counters().getOrDefault("risk_events", 0L);
            builder.onRiskEvent(riskGuard(risk, new AtomicLong(riskBase)));
        }
        this.engine = builder.build();
        long batches = 0;
        for (Map.Entry<Long, List<ProcessEvent>> e : store.journal(engine.fieldTable()).entrySet()) {
            List<ProcessEvent> events = e.getValue();
            engine.submit(new EventBatch(events, events.size(), 0, List.of()));
            replayedEvents.addAndGet(events.size());
            batches++;
        }
        engine.tick();
        restoreMillis = (System.nanoTime() - t0) / 1_000_000;
        if (snapshot != null || batches > 0) {
            LOG.info("state restored from {}: snapshot with {} open windows, {} journaled batches ({} events) replayed"
                            + " in {} ms", store.file(), snapshot == null ? 0 : snapshot.groups().size(), batches,
                    replayedEvents.get(), restoreMillis);
        }
        for (DurableOutput o : tracked) {
            int waiting = store.undeliveredCount(o.name());
            if (waiting > 0) {
                LOG.info("{}: {} notables not delivered before are delivered first", o.name(), waiting);
            }
            drainers.add(new OutboxDrainer(store, o));
        }
        this.snapshots = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "procwatch-snapshot");
            t.setDaemon(true);
            return t;
        });
        long every = snapshotInterval.toMillis();
        snapshots.scheduleWithFixedDelay(() -> {
            try {
                snapshot();
            } catch (RuntimeException ex) {
                LOG.error("snapshot failed: {}", ex.getMessage());
            }
        }, every, every, TimeUnit.MILLISECONDS);
    }

    /**
     * Writes each risk event not written before (since the snapshot), then records its id. A crash between the two
     * leaves it written but not recorded: a {@link DurableRiskOutput} (the file) recognises it as the one it held at
     * start, so it is not written again; any other listener gets it again (at least once, at most one duplicate). A
     * failing listener records nothing (the session logs and counts it).
     */
    private RiskEventListener riskGuard(RiskEventListener risk, AtomicLong delivered) {
        return r -> {
            long ordinal = delivered.incrementAndGet();
            if (discarding) {
                return;
            }
            String id = r.id();
            boolean written;
            try {
                written = store.isRiskWritten(id);
            } catch (StateStoreException e) {
                written = false;   // cannot tell: writing twice after a crash beats losing it now
                LOG.error("{}", e.getMessage());
            }
            if (written) {
                riskDuplicatesSuppressed.incrementAndGet();
                return;
            }
            if (risk instanceof DurableRiskOutput o && o.heldAtStart(id)) {
                // Written just before the previous process was killed, not yet recorded: record, do not repeat.
                riskDuplicatesSuppressed.incrementAndGet();
            } else {
                risk.onRiskEvent(r);
            }
            try {
                store.recordRiskWritten(id, ordinal);
            } catch (StateStoreException e) {
                LOG.error("{}", e.getMessage());
            }
        };
    }

    private static String jsonOf(ObjectMapper json, io.procwatch.aggregate.Notable n) {
        try {
            return json.writeValueAsString(n.fields());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * Opens the store in {@code dir}, builds the engine from {@code builder} (its listener is replaced by
     * {@code downstream} behind the emitted-id guard), restores and replays.
     *
     * @throws IOException the directory cannot be used or its state read
     */
    public static DurableEngine open(Path dir, StateStore.Fsync fsync, Duration snapshotInterval,
                                     ProcwatchEngine.Builder builder, NotableListener downstream)
            throws IOException, RuleCompileException {
        return open(dir, fsync, snapshotInterval, builder, downstream, List.of());
    }

    /**
     * {@link #open(Path, StateStore.Fsync, Duration, ProcwatchEngine.Builder, NotableListener)} with outputs whose
     * deliveries the state tracks: each notable is kept for each of {@code tracked} until it took it; what was not
     * taken before a restart is delivered first.
     */
    public static DurableEngine open(Path dir, StateStore.Fsync fsync, Duration snapshotInterval,
                                     ProcwatchEngine.Builder builder, NotableListener downstream,
                                     List<DurableOutput> tracked) throws IOException, RuleCompileException {
        return open(dir, fsync, snapshotInterval, builder, downstream, tracked, null);
    }

    /**
     * {@link #open(Path, StateStore.Fsync, Duration, ProcwatchEngine.Builder, NotableListener, List)} with a risk
     * listener ({@code --risk-out}; null: none) behind the written-id guard: a risk event a replay makes again is not
     * handed to it again. It replaces a listener {@code builder} may have.
     */
    public static DurableEngine open(Path dir, StateStore.Fsync fsync, Duration snapshotInterval,
                                     ProcwatchEngine.Builder builder, NotableListener downstream,
                                     List<DurableOutput> tracked, RiskEventListener risk)
            throws IOException, RuleCompileException {
        StateStore store = StateStore.open(dir, fsync);
        try {
            return new DurableEngine(store, builder, downstream, tracked, risk, snapshotInterval);
        } catch (IOException | RuleCompileException | RuntimeException e) {
            store.close();
            throw e;
        }
    }

    public ProcwatchEngine engine() {
        return engine;
    }

    public StateStore store() {
        return store;
    }

    /**
     * Journals a parsed batch durably, then queues it only if the engine has room for all of it now.
     *
     * @return false when the queue is full (the batch is withdrawn from the journal)
     * @throws StateStoreException the store could not keep it: nothing was queued, do not acknowledge it
     */
    public boolean trySubmit(EventBatch batch) {
        if (batch.accepted() == 0) {
            return true;
        }
        synchronized (intake) {
            long seq = store.append(batch.events());
            if (!engine.trySubmit(batch)) {
                store.withdraw(seq);
                return false;
            }
            return true;
        }
    }

    /** Takes a snapshot now: the detection state after every batch journaled so far; the journal is trimmed. */
    public void snapshot() {
        synchronized (intake) {
            long seq = store.lastSeq();
            DetectionState s = engine.checkpoint();
            store.saveSnapshot(s, seq);
            snapshotsTaken.incrementAndGet();
        }
    }

    /** Why the store cannot write, or null when it can. */
    public String failure() {
        return store.failure();
    }

    /**
     * Per tracked output: notables waiting in the state ({@code undelivered}), taken since the start
     * ({@code delivered}), failed attempts ({@code retries}) and refused for good ({@code refused}).
     */
    public Map<String, Map<String, Long>> outputMetrics() {
        Map<String, Map<String, Long>> m = new LinkedHashMap<>();
        for (OutboxDrainer d : drainers) {
            m.put(d.name(), Map.of("undelivered", (long) store.undeliveredCount(d.name()), "delivered", d.delivered.get(),
                    "retries", d.retries.get(), "refused", d.refused.get()));
        }
        return m;
    }

    /** Counters of the durability layer, for /metrics and the benchmark. */
    public Map<String, Long> metrics() {
        return Map.of("replayed_events", replayedEvents.get(), "duplicates_suppressed", duplicatesSuppressed.get(),
                "risk_duplicates_suppressed", riskDuplicatesSuppressed.get(), "snapshots", snapshotsTaken.get(),
                "journal_batches", (long) store.journalSize(),
                "restore_ms", restoreMillis, "state_file_bytes", store.fileBytes());
    }

    /**
     * Takes a last snapshot and stops the engine without emitting its open windows (they continue at the next start).
     * If the snapshot cannot be written, the journal still holds everything since the previous one.
     */
    @Override
    public void close() {
        close(Duration.ofSeconds(10));
    }

    /**
     * {@link #close()}, giving the tracked outputs up to {@code drain} to take what waits; the rest stays in the
     * state for the next start.
     */
    public void close(Duration drain) {
        snapshots.shutdownNow();
        try {
            snapshot();
        } catch (RuntimeException e) {
            LOG.error("last snapshot failed ({}); the journal keeps the events since the previous one", e.getMessage());
        }
        discarding = true;
        engine.close();
        drainers.forEach(d -> d.close(drain));
        store.close();
    }
}
