package io.procwatch.engine;

import io.procwatch.aggregate.NotableGroup;
import io.procwatch.detect.DetectionRule;
import io.procwatch.detect.RuleCompileException;
import io.procwatch.detect.RuleSet;
import io.procwatch.intake.EventSink;
import io.procwatch.intake.EventSource;
import io.procwatch.intake.IntakeCounts;
import io.procwatch.normalize.ProcessEvent;
import io.procwatch.read.Origin;
import io.procwatch.read.PrintableText;
import io.procwatch.read.RawRecord;
import com.fasterxml.jackson.databind.JsonNode;
import io.procwatch.state.DetectionState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The detection engine for embedding: a Java application feeds it Windows process-creation events and receives
 * notables through a {@link NotableListener} as their windows close.
 *
 * <pre>{@code
 * try (ProcwatchEngine engine = ProcwatchEngine.builder()
 *         .bundledRules()                      // or .rulesDirectory(Path.of("rules-drl"))
 *         .clock(EngineClock.eventTime())      // replay; EngineClock.wall() for live
 *         .onNotable(n -> System.out.println(n.fields()))
 *         .build()) {
 *     engine.submitText(xmlOrJsonText);        // or submit(Map of Windows fields), submit(ProcessEvent)
 *     engine.flush();                          // close every open window now
 * }
 * }</pre>
 *
 * <h2>Threads</h2>
 * One session thread per engine owns the Drools session; everything else reaches it through a bounded queue
 * (its capacity counts process events). Thread-safe, callable from any number of threads at once:
 * {@link #parse}, every {@code submit…}, {@link #trySubmit}, {@link #tick()}, {@link #flush()},
 * {@link #reload}, {@link #metrics()}, {@link #rules()} and {@link #close()}. Events of one thread are evaluated in
 * the order that thread submitted them; {@link #flush()}, {@link #tick()} and {@link #reload} take effect after
 * every event the calling thread submitted before. The listener runs on the session thread (never concurrently).
 *
 * <h2>Back-pressure</h2>
 * A full queue makes {@code submit…} wait up to the submit timeout (default 30 s) and then throw
 * {@link EngineBusyException}; {@link #trySubmit} never waits. A submission is queued whole or not at all.
 * Memory is bounded by the queue capacity, not by how fast producers are.
 *
 * <h2>State</h2>
 * Nothing is static: several engines in one JVM are independent (each compiles or shares an immutable
 * {@link RuleSet}, and has its own session, queue, thread and counters).
 */
public final class ProcwatchEngine implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ProcwatchEngine.class);
    private static final AtomicInteger THREADS = new AtomicInteger();
    private static final int DRAIN = 4096;

    private enum Kind { TICK, FLUSH, RELOAD, STOP, CHECKPOINT, CLOSE_WINDOWS }

    private record Command(Kind kind, RuleSet rules, CompletableFuture<Object> done) {
    }

    private final EngineClock clock;
    private final Duration lateness;
    private final int capacity;
    private final long tickMillis;
    private final long submitTimeoutMillis;
    private final EventSource eventSource;
    /** The one set of counters (shared in kind with scan's, see {@link DetectionCounters}). */
    private final DetectionCounters counters = new DetectionCounters();
    private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private final Semaphore space;
    /** Bytes of the queued process events (estimated by {@link EventFootprint}); bounds memory with large events. */
    private final ByteGate bytes;
    private final AtomicInteger depth = new AtomicInteger();
    private final Thread thread;
    private final Object intake = new Object();
    private volatile boolean accepting = true;
    private volatile RuleSet rules;
    private final CompletableFuture<Void> stopped = new CompletableFuture<>();

    /** Why the session thread gave up (it could not recover), or null while it runs. */
    private volatile Throwable failure;

    /** Drives the session; owned by the session thread. */
    private final SessionDriver driver;
    /** The session submitting threads prepare events for ({@link DetectionSession#prepare}); follows reloads. */
    private volatile DetectionSession preparing;

    private ProcwatchEngine(Builder b, RuleSet rules) {
        this.clock = b.clock;
        this.lateness = b.lateness;
        this.capacity = b.queueCapacity;
        this.tickMillis = b.tick.toMillis();
        this.submitTimeoutMillis = b.submitTimeout.toMillis();
        this.eventSource = b.eventSource;
        this.rules = rules;
        this.space = new Semaphore(capacity);
        this.bytes = new ByteGate(b.queueBytes);
        this.driver = new SessionDriver(newSession(rules), counters, b.listener, b.riskListener,
                SessionDriver.SinkFailure.COUNT_AND_GO_ON);
        this.preparing = driver.session();
        if (b.restore != null) {
            restore(b.restore);
        }
        this.thread = new Thread(this::loop, "procwatch-session-" + THREADS.incrementAndGet());
        thread.setDaemon(true);
        thread.start();
    }

    /** Starts building an engine. */
    public static Builder builder() {
        return new Builder();
    }

    // ---------------------------------------------------------------- parsing (no queue involved)

    /**
     * Parses Windows events written as text: JSON lines, a JSON array of objects, concatenated JSON objects
     * (Winlogbeat, evtx_dump shapes included), a JSON string holding event XML, or Windows event XML (one or many
     * {@code <Event>}s, after {@code #} comment lines too): whatever {@code scan} reads from a file, through the same
     * {@link EventSource}. Counts the records as received. Thread-safe.
     *
     * @param source name used in rejection messages ({@code source:line: reason})
     */
    public EventBatch parse(String text, String source) {
        return parse(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), source);
    }

    /** {@link #parse(String, String)} reading a stream (not closed); EVTX and gzip streams are read too. Thread-safe. */
    public EventBatch parse(InputStream in, String source) {
        Collector c = new Collector();
        return c.batch(eventSource.readStream(in, source, c));
    }

    /**
     * Normalizes one event given as Windows field names (the {@code System} children such as {@code EventID},
     * {@code Channel}, {@code Computer}, {@code SystemTime}, and the {@code EventData} names such as
     * {@code Image}, {@code CommandLine}). Counts it as received. Thread-safe.
     */
    public EventBatch parse(Map<String, String> windowsFields, String source) {
        Collector c = new Collector();
        return c.batch(eventSource.readFields(windowsFields, source, c));
    }

    /**
     * Normalizes one event already parsed to a JSON object in any of the JSON shapes (a Splunk HEC envelope's
     * {@code event}), without writing it back to text. Counts it as received. Thread-safe.
     */
    public EventBatch parse(JsonNode event, String source) {
        Collector c = new Collector();
        return c.batch(eventSource.readJson(event, source, c));
    }

    /**
     * Reads a stream record by record (for {@code tail -f | procwatch serve --stdin}): each process event is queued
     * as soon as it is read, waiting while the queue is full (back-pressure reaches the producer). Any format
     * {@link #parse(String, String)} accepts. Returns at end of stream.
     *
     * @param problems told each rejected record as {@code source:line: reason}
     * @return the process events queued
     */
    public long submitStream(InputStream in, String source, java.util.function.Consumer<String> problems)
            throws IOException {
        IntakeCounts counts = eventSource.readStream(in, source, new EventSink() {
            @Override
            public void processEvent(ProcessEvent event) {
                counters.received(1, 0);
                submit(event);
            }

            @Override
            public void otherEvent(Origin origin, RawRecord record) {
                counters.received(0, 1);
            }

            @Override
            public void rejected(Origin origin, String reason) {
                String clean = PrintableText.clean(reason);
                counters.reject(origin, clean);
                problems.accept(origin + ": " + clean);
            }
        });
        return counts.processEvents();
    }

    /**
     * Counts a record that a transport found unusable before any parsing here (a HEC envelope without an event,
     * a body cut by broken JSON), so that every received record ends in exactly one outcome of {@link #metrics()}.
     * Thread-safe.
     *
     * @param where  where the record was ({@code source#n})
     * @param reason why it could not be used
     */
    public void countRejected(String where, String reason) {
        counters.reject(new Origin(where, 0), PrintableText.clean(reason));
    }

    /** Collects what the event source hands over for one submission. */
    private final class Collector implements EventSink {
        final List<ProcessEvent> events = new ArrayList<>();
        final List<String> rejections = new ArrayList<>();

        @Override
        public void processEvent(ProcessEvent event) {
            events.add(event);
        }

        @Override
        public void rejected(Origin origin, String reason) {
            String clean = PrintableText.clean(reason);
            counters.reject(origin, clean);
            rejections.add(origin + ": " + clean);
        }

        EventBatch batch(IntakeCounts counts) {
            counters.received(counts.processEvents(), counts.otherEvents());
            return new EventBatch(events, counts.records(), counts.otherEvents(), rejections);
        }
    }

    // ---------------------------------------------------------------- submitting

    /**
     * Queues one process event, waiting while the queue is full.
     *
     * @throws EngineBusyException   the queue stayed full for the submit timeout
     * @throws IllegalStateException the engine is closed
     */
    public void submit(ProcessEvent event) {
        submit(new EventBatch(List.of(event), 0, 0, List.of()));
    }

    /**
     * Normalizes and queues one event given as Windows field names; see {@link #parse(Map, String)}.
     *
     * @return what was parsed: {@code accepted() == 1} for a process creation, {@code other() == 1} for another
     *         event (skipped), or one rejection with its reason
     */
    public EventBatch submit(Map<String, String> windowsFields) {
        return submit(parse(windowsFields, "map"));
    }

    /** Parses (see {@link #parse(String, String)}) and queues the process events of a text, all or none. */
    public EventBatch submitText(String xmlOrJson) {
        return submit(parse(xmlOrJson, "text"));
    }

    /**
     * Queues a parsed batch, waiting up to the submit timeout for room. A batch larger than the queue capacity is
     * queued in capacity-sized parts.
     *
     * @return the batch
     * @throws EngineBusyException   no room within the submit timeout (nothing, or only whole earlier parts of an
     *                               oversized batch, was queued)
     */
    public EventBatch submit(EventBatch batch) {
        List<ProcessEvent> events = batch.events();
        for (int from = 0; from < events.size(); from += capacity) {
            List<ProcessEvent> part = events.subList(from, Math.min(events.size(), from + capacity));
            boolean ok;
            try {
                ok = space.tryAcquire(part.size(), submitTimeoutMillis, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                ok = false;
            }
            long size = EventFootprint.bytes(part);
            if (ok && !bytes.take(size, submitTimeoutMillis)) {
                space.release(part.size());
                ok = false;
            }
            if (!ok) {
                counters.refused.addAndGet(events.size() - from);
                throw new EngineBusyException("queue full (" + capacity + " events, " + bytes.capacity()
                        + " bytes) for " + submitTimeoutMillis + " ms");
            }
            enqueue(part, size);
        }
        return batch;
    }

    /**
     * Queues a parsed batch only if the queue has room for all of it now; never waits.
     *
     * @return false when the queue is full, by events or by bytes (nothing was queued; counted as refused)
     * @throws IllegalArgumentException the batch holds more events, or more bytes, than the queue can ever hold
     */
    public boolean trySubmit(EventBatch batch) {
        int n = batch.accepted();
        if (n > capacity) {
            throw new IllegalArgumentException(n + " events exceed the queue capacity of " + capacity);
        }
        long size = EventFootprint.bytes(batch.events());
        if (size > bytes.capacity()) {
            throw new IllegalArgumentException(size + " bytes of events exceed the queue capacity of "
                    + bytes.capacity() + " bytes");
        }
        if (!space.tryAcquire(n)) {
            counters.refused.addAndGet(n);
            return false;
        }
        if (!bytes.tryTake(size)) {
            space.release(n);
            counters.refused.addAndGet(n);
            return false;
        }
        enqueue(batch.events(), size);
        return true;
    }

    private void enqueue(List<ProcessEvent> events, long size) {
        // On the submitting thread: the Sigma prefilter's search overlaps with the session thread's work. An event
        // prepared for a session that a reload replaced is searched again by the new one.
        DetectionSession p = preparing;
        for (ProcessEvent e : events) {
            p.prepare(e);
        }
        synchronized (intake) {
            if (!accepting) {
                space.release(events.size());
                bytes.release(size);
                throw new IllegalStateException("engine is closed");
            }
            depth.addAndGet(events.size());
            counters.queued.addAndGet(events.size());
            queue.addAll(events);
        }
    }

    // ---------------------------------------------------------------- control

    /**
     * Evaluates everything queued before, then moves time on to the clock (the newest event time, or the wall
     * clock) and delivers the notables whose windows that closes. The engine ticks by itself on the wall clock;
     * call this to make a test with a hand-moved clock deterministic. Blocks until done.
     */
    public void tick() {
        command(Kind.TICK, null);
    }

    /**
     * Evaluates everything queued before, then closes every open window and delivers its notable: the end of
     * input. Blocks until the listener has seen them. Matches that arrive afterwards for the windows it closed
     * form separate notables marked {@code late}.
     */
    public void flush() {
        command(Kind.FLUSH, null);
    }

    /**
     * Evaluates everything queued before, delivers the notables that closes, then captures the detection state
     * (clock, watermark, open notable groups, counters) for {@link Builder#restore}: an engine built from it
     * continues where this one stands, as if the events evaluated so far had been submitted to it. Blocks until
     * the listener has seen those notables. See {@link DetectionState} for what is and is not kept.
     */
    public DetectionState checkpoint() {
        return (DetectionState) command(Kind.CHECKPOINT, null);
    }

    /**
     * Evaluates everything queued before and closes every open window, without ending the stream: later events of
     * those windows count as late, later windows are unaffected (see {@link DetectionSession#closeOpenWindows}).
     * For a stream that has gone quiet: the Kafka mode calls it on a partition idle for its configured time.
     */
    public void closeOpenWindows() {
        command(Kind.CLOSE_WINDOWS, null);
    }

    /**
     * Recompiles the DRL files of {@code rulesDir} and swaps them in; see {@link #reload(RuleSet)}.
     *
     * @throws RuleCompileException the new rules do not compile (each problem is {@code file:line: message});
     *                              the running rules stay in force
     */
    public ReloadReport reload(Path rulesDir) throws RuleCompileException, IOException {
        return reload(() -> RuleSet.fromDirectory(rulesDir));
    }

    /** Compiles a rule set for {@link #reload(RuleLoader)}: a DRL directory, or DRL and Sigma rules together. */
    @FunctionalInterface
    public interface RuleLoader {
        RuleSet load() throws RuleCompileException, IOException;
    }

    /**
     * Compiles the rules {@code loader} gives on the calling thread (events keep flowing) and swaps them in; see
     * {@link #reload(RuleSet)}. {@code serve --rules DIR --sigma SIGMA --watch} reloads this way, so that the
     * Sigma rules are converted again beside the DRL rules.
     *
     * @throws RuleCompileException the new rules do not compile; the running rules stay in force
     */
    public ReloadReport reload(RuleLoader loader) throws RuleCompileException, IOException {
        long t0 = System.nanoTime();
        RuleSet next;
        try {
            next = loader.load();
        } catch (RuleCompileException | IOException e) {
            counters.reloadFailures.incrementAndGet();
            LOG.warn("reload refused, the running rules stay in force: {}", e.getMessage());
            throw e;
        } catch (RuntimeException | Error e) {
            // A loader bug or a hostile rule file (StackOverflowError) is a failed reload like any other.
            counters.reloadFailures.incrementAndGet();
            throw e;
        }
        return swap(next, (System.nanoTime() - t0) / 1_000_000);
    }

    /**
     * Replaces the rules. Events queued before are evaluated by the old rules, events queued after by the new.
     * Drools cannot move working memory between rule bases, so the session is replaced and this is carried over:
     * the clock, the watermark, the counters, and every open notable group (window not yet closed) of a detection
     * whose {@code @id} and metadata (name, title, description, risk attributes, MITRE ids, schedule, earliest,
     * latest, group-by fields, fillnull, risk objects, threat objects, throttle) are unchanged: its later matches keep
     * counting into the same notable, and its throttle state stays. Risk events and incident marks are always carried.
     * Open groups of changed or removed detections are emitted at once with what they counted so far.
     * Also carried: the windows of every Sigma correlation whose id and definition are unchanged (see
     * {@link DetectionSession#handOver}); those of a changed or removed correlation are dropped, not judged.
     * Not carried: the events in working memory (each was already evaluated; new rules see only later events).
     * Changing only a rule's conditions (same metadata) keeps its open groups.
     */
    public ReloadReport reload(RuleSet next) {
        return swap(next, 0);
    }

    private ReloadReport swap(RuleSet next, long compileMillis) {
        ReloadReport r = (ReloadReport) command(Kind.RELOAD, next);
        r = new ReloadReport(r.origin(), r.rules(), r.detections(), compileMillis, r.swapMillis(), r.keptGroups(),
                r.closedGroups(), r.changed());
        counters.reloads.incrementAndGet();
        LOG.info("rules reloaded from {}: {} rules ({} detections); compiled in {} ms, swapped in {} ms; "
                        + "{} open windows kept, {} closed early; changed detections: {}",
                r.origin(), r.rules(), r.detections(), r.compileMillis(), r.swapMillis(), r.keptGroups(),
                r.closedGroups(), r.changed().isEmpty() ? "none" : r.changed());
        return r;
    }

    private Object command(Kind kind, RuleSet arg) {
        CompletableFuture<Object> done = new CompletableFuture<>();
        synchronized (intake) {
            if (!accepting) {
                throw new IllegalStateException("engine is closed");
            }
            queue.add(new Command(kind, arg, done));
        }
        return await(done);
    }

    private static Object await(CompletableFuture<Object> f) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return f.get();
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    Throwable c = e.getCause();
                    if (c instanceof RuntimeException re) {
                        throw re;
                    }
                    throw new IllegalStateException(c);
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Stops intake (later submits throw {@link IllegalStateException}), evaluates everything already queued,
     * closes every open window, delivers those notables and ends the session thread. Nothing accepted is lost.
     * Idempotent; blocks until done. The service's SIGTERM handler calls this.
     */
    @Override
    public void close() {
        CompletableFuture<Object> done = null;
        synchronized (intake) {
            if (accepting) {
                accepting = false;
                done = new CompletableFuture<>();
                queue.add(new Command(Kind.STOP, null, done));
            }
        }
        if (done != null) {
            await(done);
        }
        stopped.join();
    }

    /** False once {@link #close()} has begun, or the session thread failed beyond recovery. */
    public boolean isOpen() {
        return accepting;
    }

    /**
     * Why the session thread stopped although nobody closed the engine (it failed again while recovering), or null.
     * A service should then exit non-zero so that its supervisor restarts it.
     */
    public Throwable failure() {
        return failure;
    }

    /** Session thread failures (an Error such as OutOfMemoryError) it recovered from with a new session. */
    public long sessionFailures() {
        return counters.sessionFailures.get();
    }

    /** Estimated bytes of the process events waiting in the queue. */
    public long queuedBytes() {
        return bytes.held();
    }

    /** The most bytes of process events the queue holds. */
    public long queueByteCapacity() {
        return bytes.capacity();
    }

    /** The table numbering the fields of the events this engine reads (its own; engines share none). */
    public io.procwatch.normalize.FieldTable fieldTable() {
        return eventSource.fieldTable();
    }

    /** The rules in force. */
    public RuleSet rules() {
        return rules;
    }

    public EngineClock clock() {
        return clock;
    }

    /** A snapshot of the counters. Thread-safe. */
    public EngineMetrics metrics() {
        return EngineMetrics.of(counters, depth.get(), capacity, rules.ruleCount());
    }

    // ---------------------------------------------------------------- the session thread

    private DetectionSession newSession(RuleSet r) {
        return clock.isWall()
                ? new DetectionSession(r, clock.source()::millis, lateness)
                : new DetectionSession(r, true, lateness);
    }

    private void loop() {
        List<Object> batch = new ArrayList<>(DRAIN);
        long nextTick = System.nanoTime() + tickMillis * 1_000_000;
        try {
            while (true) {
                Object first;
                if (clock.isWall()) {
                    long wait = Math.max(0, nextTick - System.nanoTime());
                    first = queue.poll(wait, TimeUnit.NANOSECONDS);
                } else {
                    first = queue.take();
                }
                if (first != null) {
                    batch.add(first);
                    queue.drainTo(batch, DRAIN);
                }
                int events = 0;
                for (Object o : batch) {
                    if (o instanceof ProcessEvent e) {
                        pendingBytes += EventFootprint.bytes(e);
                        events++;
                        try {
                            driver.insert(e);
                        } catch (Error err) {
                            recover(err, e.getOrigin() + ": evaluation failed");
                        }
                        continue;
                    }
                    if (events > 0) {
                        fireOrRecover(events);
                        events = 0;
                    }
                    Command c = (Command) o;
                    try {
                        Object result = run(c);
                        c.done().complete(result);
                    } catch (RuntimeException ex) {
                        c.done().completeExceptionally(ex);
                    }
                    if (c.kind() == Kind.STOP) {
                        return;
                    }
                }
                if (events > 0) {
                    fireOrRecover(events);
                }
                batch.clear();
                if (clock.isWall() && System.nanoTime() >= nextTick) {
                    fireOrRecover(0);
                    driver.observe();
                    nextTick = System.nanoTime() + tickMillis * 1_000_000;
                }
            }
        } catch (InterruptedException e) {
            LOG.error("session thread interrupted; the engine stops");
        } catch (Throwable t) {
            failure = t;
            LOG.error("session thread failed and could not recover; the engine stops", t);
        } finally {
            synchronized (intake) {
                accepting = false;   // under the lock: no command can be queued after the sweep below
            }
            try {
                driver.close();
            } catch (RuntimeException ignored) {
                // already disposed
            }
            // Commands of the batch being worked on when the thread failed wait too, not only those still queued.
            for (Object o : batch) {
                if (o instanceof Command c) {
                    c.done().completeExceptionally(new IllegalStateException("engine is closed"));
                }
            }
            for (Object o : queue) {
                if (o instanceof Command c) {
                    c.done().completeExceptionally(new IllegalStateException("engine is closed"));
                }
            }
            stopped.complete(null);
        }
    }

    /** Bytes of the events inserted since the last firing; freed with their queue room. */
    private long pendingBytes;
    /** When the last recoveries happened (nanoTime), to give up on a failure that repeats at once. */
    private final java.util.ArrayDeque<Long> recoveries = new java.util.ArrayDeque<>();

    private void fireOrRecover(int events) {
        try {
            fire(events);
        } catch (Error err) {
            recover(err, "rule firing failed");
        }
    }

    /**
     * After an Error on the session thread (OutOfMemoryError, StackOverflowError in a rule) the Drools session may
     * be inconsistent: a new session of the current rules takes over its open windows (as a reload does) and the
     * thread goes on with the next event. More than three failures within a minute is not transient: rethrown,
     * the engine stops and {@link #failure()} says why.
     */
    private void recover(Error err, String what) {
        counters.sessionFailures.incrementAndGet();
        long now = System.nanoTime();
        recoveries.addLast(now);
        while (!recoveries.isEmpty() && now - recoveries.peekFirst() > 60_000_000_000L) {
            recoveries.removeFirst();
        }
        LOG.error("{}: {}; recovering with a new session of the current rules", what, err.toString());
        if (recoveries.size() > 3) {
            throw err;
        }
        DetectionSession fresh = newSession(rules);
        driver.replace(fresh, old -> {
            try {
                return old.handOver(fresh, g -> true);
            } catch (RuntimeException | Error handOverFailed) {
                LOG.error("open windows could not be carried over ({}); they are lost", handOverFailed.toString());
                return List.of();
            }
        });
        preparing = fresh;
        driver.observe();
    }

    /** Fires after {@code events} inserts, delivers what closed and frees their queue room. */
    private void fire(int events) {
        try {
            driver.fire();
        } catch (RuntimeException ex) {
            LOG.error("rule firing failed: {}", ex.toString(), ex);
        } finally {
            if (events > 0) {
                driver.processed(events);
                depth.addAndGet(-events);
                space.release(events);
                bytes.release(pendingBytes);
                pendingBytes = 0;
            }
            driver.observeTime();
        }
    }

    private Object run(Command c) {
        switch (c.kind()) {
            case TICK, CHECKPOINT -> {
                driver.fire();
                driver.observe();
                return c.kind() == Kind.CHECKPOINT ? capture() : null;
            }
            case FLUSH, STOP -> {
                driver.flush();
                driver.observe();
                return null;
            }
            case RELOAD -> {
                return replace(c.rules());
            }
            case CLOSE_WINDOWS -> {
                driver.closeOpenWindows();
                driver.observe();
                return null;
            }
            default -> throw new IllegalStateException(c.kind().toString());
        }
    }

    private ReloadReport replace(RuleSet next) {
        long t0 = System.nanoTime();
        Map<String, List<Object>> before = signatures(rules);
        Map<String, List<Object>> after = signatures(next);
        Set<String> changed = new TreeSet<>();
        Set<String> all = new HashSet<>(before.keySet());
        all.addAll(after.keySet());
        for (String id : all) {
            if (!Objects.equals(before.get(id), after.get(id))) {
                changed.add(id);
            }
        }
        DetectionSession fresh = newSession(next);
        int[] closedCount = new int[1];
        driver.replace(fresh, old -> {
            List<NotableGroup> closed = old.handOver(fresh, g -> !changed.contains(g.getRule().id()),
                    id -> !changed.contains(id));
            closedCount[0] = closed.size();
            return closed;
        });
        int kept = fresh.openGroups().size();
        preparing = fresh;
        rules = next;
        driver.fire();
        driver.observe();
        return new ReloadReport(next.origin(), next.ruleCount(), next.catalog().detections().size(), 0,
                (System.nanoTime() - t0) / 1_000_000, kept, closedCount[0], List.copyOf(changed));
    }

    private DetectionState capture() {
        Map<String, String> sigs = new TreeMap<>();
        signatures(rules).forEach((id, sig) -> sigs.put(id, sig.toString()));
        return driver.session().capture(counters.toCheckpoint(), sigs);
    }

    /**
     * Loads a checkpoint into the fresh session and counters (constructor, before the session thread starts):
     * the carry-over of a reload, where a detection whose signature differs is "changed" and its groups are emitted
     * at once.
     */
    private void restore(DetectionState s) {
        Map<String, List<Object>> now = signatures(rules);
        List<NotableGroup> closed = driver.session().restore(s, eventSource.fieldTable(), g -> {
            List<Object> sig = now.get(g.getRule().id());
            return sig != null && sig.toString().equals(s.signatures().get(g.getRule().id()));
        });
        counters.restore(s.counters());
        driver.deliverClosed(closed);
        driver.observe();
    }

    /** Everything the catalog says about each detection; two equal signatures mean an unchanged detection. */
    private static Map<String, List<Object>> signatures(RuleSet r) {
        Map<String, List<Object>> out = new HashMap<>();
        for (DetectionRule d : r.catalog().detections()) {
            out.put(d.id(), Arrays.asList(d.ruleName(), d.packageName(), d.title(), d.description(), d.riskScore(),
                    d.riskObject(), d.riskObjectType(), d.riskMessage(), d.mitre(), d.notableFields(),
                    d.securityDomain(), d.window(), d.groupBy(), d.fillNull(),
                    r.catalog().risk(d.id())));
        }
        return out;
    }

    /** Results throttled by {@code @throttle} (no notable; their risk events counted), per detection id. Thread-safe. */
    public Map<String, Long> throttled() {
        return counters.session.throttled();
    }

    /** Risk events published so far. Thread-safe. */
    public long riskEventCount() {
        return counters.riskEvents.get();
    }

    // ---------------------------------------------------------------- builder

    /** Settings of an engine. Not thread-safe; {@link #build()} may be called more than once. */
    public static final class Builder {
        private RuleSet rules;
        private Path rulesDir;
        private EngineClock clock = EngineClock.eventTime();
        private Duration lateness = ScanOptions.DEFAULT_LATENESS;
        private int queueCapacity = 10_000;
        private long queueBytes = 256L * 1024 * 1024;
        private Duration tick = Duration.ofSeconds(1);
        private Duration submitTimeout = Duration.ofSeconds(30);
        private NotableListener listener = n -> { };
        private EventSource eventSource = new EventSource();
        private DetectionState restore;
        private io.procwatch.risk.RiskEventListener riskListener = r -> { };

        private Builder() {
        }

        /** The rules packaged in the procwatch jar (the classpath kmodule). The default. */
        public Builder bundledRules() {
            this.rules = null;
            this.rulesDir = null;
            return this;
        }

        /** Compiles every {@code .drl} file under {@code dir} at {@link #build()}. */
        public Builder rulesDirectory(Path dir) {
            this.rulesDir = Objects.requireNonNull(dir);
            this.rules = null;
            return this;
        }

        /** An already compiled rule set (immutable; engines may share it). */
        public Builder rules(RuleSet rules) {
            this.rules = Objects.requireNonNull(rules);
            this.rulesDir = null;
            return this;
        }

        /** Event time (replay, the default) or the wall clock (live). */
        public Builder clock(EngineClock clock) {
            this.clock = Objects.requireNonNull(clock);
            return this;
        }

        /** How far behind the clock an event may arrive and still land in its window (default 10 minutes). */
        public Builder lateness(Duration lateness) {
            if (lateness.isNegative()) {
                throw new IllegalArgumentException("lateness must not be negative");
            }
            this.lateness = lateness;
            return this;
        }

        /** The most process events waiting for the session thread (default 10,000). */
        public Builder queueCapacity(int events) {
            if (events < 1) {
                throw new IllegalArgumentException("queue capacity must be at least 1");
            }
            this.queueCapacity = events;
            return this;
        }

        /** The most bytes of process events waiting for the session thread (default 256 MiB). */
        public Builder queueBytes(long bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("queue bytes must be at least 1");
            }
            this.queueBytes = bytes;
            return this;
        }

        /** How often a wall-clock engine closes due windows when no events arrive (default 1 s). */
        public Builder tickInterval(Duration tick) {
            if (tick.isNegative() || tick.isZero()) {
                throw new IllegalArgumentException("tick interval must be positive");
            }
            this.tick = tick;
            return this;
        }

        /** How long {@code submit…} waits for queue room before {@link EngineBusyException} (default 30 s). */
        public Builder submitTimeout(Duration timeout) {
            this.submitTimeout = Objects.requireNonNull(timeout);
            return this;
        }

        /** How submitted text is read (the default reads EVTX with default settings). */
        public Builder eventSource(EventSource source) {
            this.eventSource = Objects.requireNonNull(source);
            return this;
        }

        /** Receives each notable as its window closes (on the session thread). */
        public Builder onNotable(NotableListener listener) {
            this.listener = Objects.requireNonNull(listener);
            return this;
        }

        /**
         * Continues from a state {@link ProcwatchEngine#checkpoint()} captured (possibly under other rules, in
         * another process): loaded through the carry-over of {@link ProcwatchEngine#reload(RuleSet)}. Null: start
         * empty (the default).
         */
        public Builder restore(DetectionState state) {
            this.restore = state;
            return this;
        }

        /**
         * Receives each risk event as it is published (on the session thread, before the notables of the same
         * step): one per risk object of each detection result, throttled results included.
         */
        public Builder onRiskEvent(io.procwatch.risk.RiskEventListener listener) {
            this.riskListener = Objects.requireNonNull(listener);
            return this;
        }

        /**
         * Compiles or loads the rules and starts the session thread.
         *
         * @throws RuleCompileException the rules do not compile ({@code file:line: message} per problem)
         * @throws IOException          the rules directory cannot be read
         */
        public ProcwatchEngine build() throws RuleCompileException, IOException {
            RuleSet r = rules != null ? rules : rulesDir != null ? RuleSet.fromDirectory(rulesDir) : RuleSet.bundled();
            return new ProcwatchEngine(this, r);
        }
    }

    @Override
    public String toString() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("rules", rules.origin());
        m.put("clock", clock);
        m.put("lateness", lateness);
        m.put("queueCapacity", capacity);
        return "ProcwatchEngine" + m;
    }
}
