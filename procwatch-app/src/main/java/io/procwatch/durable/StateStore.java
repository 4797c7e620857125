package io.procwatch.durable;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.procwatch.normalize.FieldTable;
import io.procwatch.normalize.ProcessEvent;
import io.procwatch.state.DetectionState;
import io.procwatch.state.EventState;
import io.procwatch.state.StateCodec;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A service's durable detection state in one H2 MVStore file ({@code procwatch-state.mv.db}): the latest
 * {@link DetectionState} snapshot, the journal of event batches acknowledged after it, and the ids of the notables
 * emitted and of the risk events written since it. Restore = the snapshot, then the journal in order; a notable or
 * risk event whose id is recorded is not emitted or written again. With tracked outputs ({@link DurableOutput}) it
 * also holds, per output ({@code outbox.NAME}), the
 * notables that output has not taken yet, in order.
 *
 * <p><b>Fsync policy.</b> {@link Fsync#ALWAYS}: each journal append is written and forced to the device before it
 * returns (survives power loss). {@link Fsync#NEVER}: written to the file (the operating system's page cache) before
 * it returns: survives the process being killed ({@code kill -9}, OOM), not a power loss or kernel crash.
 *
 * <p>Thread-safe (appends are serialized). A write failure (disk full, file unwritable) is thrown as
 * {@link StateStoreException} and remembered for {@link #failure()}.
 */
public final class StateStore implements AutoCloseable {

    /** When appends reach the device. */
    public enum Fsync {
        /** Forced to the device before an append returns. */
        ALWAYS,
        /** Written to the file before an append returns; the operating system decides when it reaches the device. */
        NEVER
    }

    /** The file in the state directory. */
    public static final String FILE = "procwatch-state.mv.db";

    private final MVStore store;
    private final MVMap<Long, byte[]> journal;
    private final MVMap<String, byte[]> meta;
    private final MVMap<String, Long> emitted;
    private final MVMap<String, Long> riskWritten;
    private final Fsync fsync;
    private final Path file;
    private final ObjectMapper json = new ObjectMapper();
    private final StateCodec codec = new StateCodec();
    private long nextSeq;
    private volatile String failure;

    private StateStore(Path file, Fsync fsync) {
        this.file = file;
        this.fsync = fsync;
        this.store = new MVStore.Builder().fileName(file.toString()).autoCommitDisabled().open();
        this.journal = store.openMap("journal");
        this.meta = store.openMap("meta");
        this.emitted = store.openMap("emitted");
        this.riskWritten = store.openMap("risk-written");
        Long last = journal.lastKey();
        long snap = snapshotSeq();
        this.nextSeq = Math.max(last == null ? 0 : last, snap) + 1;
    }

    /**
     * Opens (or creates) the store in {@code dir}.
     *
     * @throws IOException the directory cannot be created or written, or the file is not a state store
     */
    public static StateStore open(Path dir, Fsync fsync) throws IOException {
        Files.createDirectories(dir);
        if (!Files.isWritable(dir)) {
            throw new IOException("state directory " + dir + " is not writable");
        }
        Path f = dir.resolve(FILE);
        try {
            return new StateStore(f, fsync);
        } catch (RuntimeException e) {
            throw new IOException("cannot open state store " + f + ": " + e.getMessage(), e);
        }
    }

    public Fsync fsync() {
        return fsync;
    }

    public Path file() {
        return file;
    }

    /** The latest snapshot, or null when none was taken. */
    public DetectionState snapshot() throws IOException {
        byte[] b = meta.get("snapshot");
        return b == null ? null : codec.decode(b);
    }

    private long snapshotSeq() {
        byte[] b = meta.get("snapshot.seq");
        return b == null ? 0 : Long.parseLong(new String(b, java.nio.charset.StandardCharsets.US_ASCII));
    }

    /**
     * The batches acknowledged after the snapshot, in order (sequence number → events), their fields numbered by
     * {@code fields} (the table of the engine they are replayed into).
     */
    public SortedMap<Long, List<ProcessEvent>> journal(FieldTable fields) throws IOException {
        SortedMap<Long, List<ProcessEvent>> out = new TreeMap<>();
        long after = snapshotSeq();
        for (Map.Entry<Long, byte[]> e : journal.entrySet()) {
            if (e.getKey() > after) {
                List<EventState> states = json.readValue(e.getValue(), new TypeReference<List<EventState>>() { });
                List<ProcessEvent> events = new ArrayList<>(states.size());
                states.forEach(s -> events.add(s.toEvent(fields)));
                out.put(e.getKey(), events);
            }
        }
        return out;
    }

    /**
     * Appends a batch and makes it durable per the fsync policy before returning.
     *
     * @return its sequence number
     * @throws StateStoreException the store could not keep it (nothing of it is kept)
     */
    public synchronized long append(List<ProcessEvent> events) {
        List<EventState> states = new ArrayList<>(events.size());
        events.forEach(e -> states.add(EventState.of(e)));
        long seq = nextSeq;
        try {
            journal.put(seq, json.writeValueAsBytes(states));
            durable();
            failure = null;
        } catch (IOException | RuntimeException e) {
            try {
                journal.remove(seq);
            } catch (RuntimeException ignored) {
                // the store is failing; it reports below
            }
            throw fail("cannot append to the journal", e);
        }
        nextSeq++;
        return seq;
    }

    /** Removes a batch appended but then not accepted by the engine (its queue was full). */
    public synchronized void withdraw(long seq) {
        try {
            journal.remove(seq);
            store.commit();
        } catch (RuntimeException e) {
            throw fail("cannot withdraw from the journal", e);
        }
    }

    /** The sequence number of the last appended batch (0 when none). */
    public synchronized long lastSeq() {
        return nextSeq - 1;
    }

    /**
     * Replaces the snapshot: {@code state} holds every batch up to {@code seq}. The journal up to it and the notable
     * and risk event ids the state no longer needs ({@code state} counts {@code notables} and {@code risk_events}
     * delivered; ids recorded at or before that ordinal) are dropped in the same commit; forced to the device
     * whatever the policy.
     */
    public synchronized void saveSnapshot(DetectionState state, long seq) {
        try {
            meta.put("snapshot", codec.encode(state));
            meta.put("snapshot.seq", Long.toString(seq).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            Long k = journal.firstKey();
            while (k != null && k <= seq) {
                journal.remove(k);
                k = journal.firstKey();
            }
            prune(emitted, state.counters().getOrDefault("notables", 0L));
            prune(riskWritten, state.counters().getOrDefault("risk_events", 0L));
            store.commit();
            store.sync();
        } catch (RuntimeException e) {
            throw fail("cannot save the snapshot", e);
        }
    }

    /** Drops the ids recorded at or before {@code delivered}: a replay from the snapshot cannot make them again. */
    private static void prune(MVMap<String, Long> ids, long delivered) {
        // MVMap's entry-set iterator cannot remove: collect the ids, then remove them from the map.
        List<String> done = new ArrayList<>();
        ids.forEach((id, ordinal) -> {
            if (ordinal <= delivered) {
                done.add(id);
            }
        });
        done.forEach(ids::remove);
    }

    /** Whether the risk event {@code id} was written before (since the snapshot): a replay made it again. */
    public boolean isRiskWritten(String id) {
        try {
            return riskWritten.containsKey(id);
        } catch (RuntimeException e) {
            throw fail("cannot read the written risk event ids", e);
        }
    }

    /**
     * Records that the risk event {@code id}, the engine's {@code ordinal}-th, has been written (one commit, durable
     * per the fsync policy).
     */
    public synchronized void recordRiskWritten(String id, long ordinal) {
        try {
            riskWritten.put(id, ordinal);
            durable();
        } catch (RuntimeException e) {
            throw fail("cannot record a written risk event", e);
        }
    }

    /**
     * Records that the notable {@code id}, the engine's {@code ordinal}-th delivery, is being emitted, and keeps its
     * JSON for each of {@code outputs} until {@link #delivered} (one commit, durable per the fsync policy).
     *
     * @return false when it was emitted before (a replay closing the same window again): do not emit it
     */
    public synchronized boolean emit(String id, long ordinal, byte[] notableJson, List<String> outputs) {
        try {
            if (emitted.putIfAbsent(id, ordinal) != null) {
                return false;
            }
            for (String o : outputs) {
                MVMap<Long, byte[]> box = outbox(o);
                Long last = box.lastKey();
                box.put(last == null ? 1 : last + 1, notableJson);
            }
            durable();
            return true;
        } catch (RuntimeException e) {
            throw fail("cannot record an emitted notable", e);
        }
    }

    private MVMap<Long, byte[]> outbox(String output) {
        return store.openMap("outbox." + output);
    }

    /** The oldest notable {@code output} has not taken (key: its place in the outbox), or null. */
    public synchronized Map.Entry<Long, byte[]> firstUndelivered(String output) {
        MVMap<Long, byte[]> box = outbox(output);
        Long k = box.firstKey();
        return k == null ? null : Map.entry(k, box.get(k));
    }

    /** {@code output} took (or refused for good) the notable at {@code key}: it leaves the state. */
    public synchronized void delivered(String output, long key) {
        try {
            outbox(output).remove(key);
            // Not forced: a delivery forgotten in a power loss is delivered again (at least once).
            store.commit();
        } catch (RuntimeException e) {
            throw fail("cannot record a delivery", e);
        }
    }

    /** Notables {@code output} has not taken yet. */
    public synchronized int undeliveredCount(String output) {
        return store.isClosed() ? 0 : outbox(output).size();
    }

    /** Notable ids recorded since the snapshot. */
    public int emittedCount() {
        return emitted.size();
    }

    /** Risk event ids recorded since the snapshot. */
    public int riskWrittenCount() {
        return riskWritten.size();
    }

    /** Journal batches after the snapshot. */
    public int journalSize() {
        return journal.size();
    }

    /** The file's size in bytes. */
    public long fileBytes() {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return -1;
        }
    }

    private void durable() {
        store.commit();
        if (fsync == Fsync.ALWAYS) {
            store.sync();
        }
    }

    private StateStoreException fail(String what, Exception e) {
        String why = what + " (" + file + "): " + (e.getMessage() == null ? e.toString() : e.getMessage());
        failure = why;
        return new StateStoreException(why, e);
    }

    /** Why the last write failed, or null when the last write succeeded or none failed. */
    public String failure() {
        return failure;
    }

    @Override
    public synchronized void close() {
        if (!store.isClosed()) {
            try {
                store.commit();
                store.close();
            } catch (RuntimeException e) {
                store.closeImmediately();
            }
        }
    }
}
