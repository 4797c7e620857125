package io.procwatch.durable;

import io.procwatch.detect.RuleCompileException;
import io.procwatch.engine.EventBatch;
import io.procwatch.engine.NotableListener;
import io.procwatch.engine.ProcwatchEngine;
import io.procwatch.normalize.ProcessEvent;
import io.procwatch.state.DetectionState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
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
 * the journal after it. Notables whose id was already emitted are not emitted again.
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
    private final AtomicLong replayedEvents = new AtomicLong();
    private final AtomicLong snapshotsTaken = new AtomicLong();
    private volatile boolean discarding;
    private volatile long restoreMillis;

    private DurableEngine(StateStore store, ProcwatchEngine.Builder builder, NotableListener downstream,
                          Duration snapshotInterval) throws IOException, RuleCompileException {
        this.store = store;
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
            try {
                first = store.markEmitted(n.id(), ordinal);
            } catch (StateStoreException e) {
                first = true;   // cannot record it: emitting twice after a crash beats losing it now
                LOG.error("{}", e.getMessage());
            }
            if (first) {
                downstream.onNotable(n);
            } else {
                duplicatesSuppressed.incrementAndGet();
            }
        };
        this.engine = builder.restore(snapshot).onNotable(guard).build();
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
     * Opens the store in {@code dir}, builds the engine from {@code builder} (its listener is replaced by
     * {@code downstream} behind the emitted-id guard), restores and replays.
     *
     * @throws IOException the directory cannot be used or its state read
     */
    public static DurableEngine open(Path dir, StateStore.Fsync fsync, Duration snapshotInterval,
                                     ProcwatchEngine.Builder builder, NotableListener downstream)
            throws IOException, RuleCompileException {
        StateStore store = StateStore.open(dir, fsync);
        try {
            return new DurableEngine(store, builder, downstream, snapshotInterval);
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

    /** Counters of the durability layer, for /metrics and the benchmark. */
    public Map<String, Long> metrics() {
        return Map.of("replayed_events", replayedEvents.get(), "duplicates_suppressed", duplicatesSuppressed.get(),
                "snapshots", snapshotsTaken.get(), "journal_batches", (long) store.journalSize(),
                "restore_ms", restoreMillis, "state_file_bytes", store.fileBytes());
    }

    /**
     * Takes a last snapshot and stops the engine without emitting its open windows (they continue at the next start).
     * If the snapshot cannot be written, the journal still holds everything since the previous one.
     */
    @Override
    public void close() {
        snapshots.shutdownNow();
        try {
            snapshot();
        } catch (RuntimeException e) {
            LOG.error("last snapshot failed ({}); the journal keeps the events since the previous one", e.getMessage());
        }
        discarding = true;
        engine.close();
        store.close();
    }
}
