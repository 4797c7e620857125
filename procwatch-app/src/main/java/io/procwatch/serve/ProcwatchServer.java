package io.procwatch.serve;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.procwatch.detect.RuleSet;
import io.procwatch.engine.EngineMetrics;
import io.procwatch.engine.EventBatch;
import io.procwatch.intake.HecEnvelope;
import io.procwatch.engine.ProcwatchEngine;
import io.procwatch.durable.DurableEngine;
import io.procwatch.durable.StateStoreException;
import io.procwatch.engine.RuleWatcher;
import io.procwatch.normalize.ProcessEvent;
import io.procwatch.read.PrintableText;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.zip.GZIPInputStream;

/**
 * {@code procwatch serve}: a long-running detection service on Jetty ({@link HttpFront}: timeouts, connection
 * limit, bounded worker pool, optional TLS).
 *
 * <ul>
 *   <li>{@code POST /events}: JSON lines, a JSON array, concatenated JSON objects (flat, Winlogbeat, evtx_dump) or
 *       Windows event XML;</li>
 *   <li>{@code POST /services/collector/event} (and {@code /services/collector}): Splunk HEC, a stream of
 *       {@code {"event": …}} envelopes whose event is an object or a string holding JSON or XML (the envelope's
 *       {@code time}, {@code host}, {@code source}, {@code sourcetype} fill in what the event lacks);
 *       {@code POST /services/collector/raw}: event text without envelopes;
 *       {@code GET /services/collector/health};</li>
 *   <li>{@code GET /health}, {@code GET /metrics} (Prometheus text format).</li>
 * </ul>
 * A body is queued whole or not at all: 200 all used, 400 some records malformed (the rest was queued; the answer
 * says how many), 401/403 token missing/wrong, 413 too large, 503 + {@code Retry-After} queue full (by events or
 * bytes), too many bodies pending, or stopping. The token is checked on the headers, before any body byte is read;
 * bodies are read without holding a thread. Paths match exactly.
 * {@link #stop()} (the SIGTERM hook) stops intake, drains the queue, flushes every open window to the outputs and
 * closes them.
 */
public final class ProcwatchServer {

    private static final Logger LOG = LoggerFactory.getLogger(ProcwatchServer.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_ERRORS_SHOWN = 20;

    private final ServeConfig cfg;
    private final ProcwatchEngine engine;
    /** With {@code --state-dir}: the journaling engine around {@link #engine}; null otherwise. */
    private final DurableEngine durable;
    private final NotableOutputs outputs;
    private final HttpFront http;
    /** Ingest bodies parsed at once: the worker threads beyond these stay free for /health and /metrics. */
    private final Semaphore parsing;
    private final BodyBudget bodies;
    /** Process events of bodies answered 413 or 503 outside the engine's own refusal count (closed, too big). */
    private final AtomicLong refusedHere = new AtomicLong();
    private final AtomicLong busyAnswers = new AtomicLong();
    /** Bodies cut off below the minimum data rate or by the idle timeout while being received. */
    private final AtomicLong slowBodies = new AtomicLong();
    private final byte[] token;
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Map<Integer, AtomicLong> responses = new ConcurrentHashMap<>();
    private final AtomicLong malformedBodies = new AtomicLong();
    private final AtomicLong inFlight = new AtomicLong();
    private final long startedAt = System.currentTimeMillis();
    private volatile RuleWatcher watcher;

    private ProcwatchServer(ServeConfig cfg, RuleSet rules, PrintStream stdout, DurabilityConfig durability,
                            io.procwatch.risk.RiskEventListener risk) throws IOException {
        this.cfg = cfg;
        this.token = cfg.token() != null ? cfg.token().getBytes(StandardCharsets.UTF_8) : null;
        this.outputs = new NotableOutputs(cfg, stdout);
        try {
            ProcwatchEngine.Builder b = ProcwatchEngine.builder().rules(rules).clock(cfg.clock()).lateness(cfg.lateness())
                    .queueCapacity(cfg.queueCapacity()).queueBytes(cfg.queueBytes())
                    .submitTimeout(java.time.Duration.ofDays(365));
            if (durability == null && risk != null) {
                b.onRiskEvent(risk);
            }
            // With a state directory the risk listener sits behind the durable engine's written-id guard.
            this.durable = durability == null ? null : DurableEngine.open(durability.stateDir(), durability.fsync(),
                    durability.snapshotInterval(), b, outputs, outputs.trackedByState(), risk);
            this.engine = durable != null ? durable.engine() : b.onNotable(outputs).build();
        } catch (Exception e) {
            outputs.close();
            throw new IOException(e);
        }
        this.parsing = new Semaphore(Math.max(1, cfg.httpThreads()));
        this.bodies = new BodyBudget(cfg.http().pendingBodyBytes());
        Path[] tls = cfg.tlsCert() != null ? new Path[]{cfg.tlsCert(), cfg.tlsKey()} : null;
        try {
            this.http = new HttpFront(cfg.bind(), cfg.port(), cfg.http(), tls, this::route);
        } catch (IOException | RuntimeException e) {
            engine.close();
            outputs.close();
            throw e;
        }
    }

    /** Exact paths only: {@code /eventsXYZ} is 404, not {@code /events}. */
    private void route(Exchange ex) {
        try {
            switch (ex.path()) {
                case "/events" -> handle(ex, false);
                case "/services/collector", "/services/collector/event", "/services/collector/event/1.0",
                     "/services/collector/raw", "/services/collector/raw/1.0" -> handle(ex, true);
                case "/services/collector/health", "/services/collector/health/1.0" -> hecHealth(ex);
                case "/health" -> health(ex);
                case "/metrics" -> metrics(ex);
                default -> respond(ex, 404, "application/json", "{\"error\":\"no such endpoint\"}");
            }
        } catch (IOException | RuntimeException e) {
            LOG.error("request {} failed: {}", ex.path(), e.toString());
            respond(ex, 500, "application/json", "{\"error\":\"internal error\"}");
        }
    }

    /**
     * Starts listening. The engine, outputs and HTTP server are this instance's own.
     *
     * @param stdout where {@code --stdout} notables go
     */
    public static ProcwatchServer start(ServeConfig cfg, RuleSet rules, PrintStream stdout) throws IOException {
        return start(cfg, rules, stdout, null, r -> { });
    }

    /**
     * Starts listening with durable intake when {@code durability} is given: an event is acknowledged only once it is
     * journaled, and the state of a previous run on the same directory is restored first; every risk event goes to
     * {@code risk} (e.g. {@code --risk-out}; null: none), with a state directory once across restarts (a replay does
     * not hand it a risk event written before).
     */
    public static ProcwatchServer start(ServeConfig cfg, RuleSet rules, PrintStream stdout, DurabilityConfig durability,
                                        io.procwatch.risk.RiskEventListener risk) throws IOException {
        ProcwatchServer s = new ProcwatchServer(cfg, rules, stdout, durability, risk);
        try {
            s.http.start();
        } catch (IOException e) {
            s.closeEngine();
            s.outputs.close();
            throw e;
        }
        s.startFailureWatch();
        LOG.info("procwatch serve listening on {}://{}:{} ({} rules from {}, {}, lateness {}, queue {} events{})",
                cfg.tlsCert() != null ? "https" : "http", cfg.bind(), s.port(), rules.ruleCount(), rules.origin(), cfg.clock(), cfg.lateness(),
                cfg.queueCapacity(), cfg.token() != null ? ", token required" : ", no token");
        return s;
    }

    /** Recompiles {@code dir} whenever a DRL file in it changes (see {@link RuleWatcher}). */
    public void watchRules(Path dir, java.time.Duration debounce) throws IOException {
        watcher = new RuleWatcher(engine, dir, debounce);
    }

    /**
     * Reloads what {@code loader} compiles whenever a rule file under one of {@code roots} changes (per root, the
     * file name endings that count: {@code .drl} for a DRL directory, {@code .yml}/{@code .yaml} for Sigma rules).
     */
    public void watchRules(java.util.Map<Path, java.util.List<String>> roots, ProcwatchEngine.RuleLoader loader,
                           java.time.Duration debounce) throws IOException {
        watcher = new RuleWatcher(engine, roots, debounce, loader);
    }

    /** With a state directory the durable engine closes (a snapshot; open windows continue at the next start). */
    private void closeEngine() {
        if (durable != null) {
            durable.close(cfg.drainTimeout());
        } else {
            engine.close();
        }
    }

    /** The bound port (useful with port 0). */
    public int port() {
        return http.port();
    }

    /**
     * True when the service stopped because its session thread failed beyond recovery ({@link
     * ProcwatchEngine#failure()}): {@code serve} then exits non-zero so that a supervisor restarts it.
     */
    public boolean failed() {
        return engine.failure() != null;
    }

    /** Stops the service (flushing what it can) once the engine has failed for good, instead of staying half-dead. */
    private void startFailureWatch() {
        Thread t = new Thread(() -> {
            while (!stopping.get()) {
                if (engine.failure() != null) {
                    LOG.error("the detection session failed beyond recovery ({}); stopping so that a supervisor restarts the service",
                            engine.failure().toString());
                    stop();
                    return;
                }
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "procwatch-failure-watch");
        t.setDaemon(true);
        t.start();
    }

    public ProcwatchEngine engine() {
        return engine;
    }

    /** With {@code --state-dir}: the state store (tests close it underneath to play a failing disk); else null. */
    public io.procwatch.durable.StateStore durableStore() {
        return durable == null ? null : durable.store();
    }

    /**
     * Feeds events read from {@code in} (standard input) until it ends; waits while the queue is full.
     *
     * @return process events queued
     */
    public long feed(InputStream in, String source, Consumer<String> problems) throws IOException {
        return engine.submitStream(in, source, problems);
    }

    /** The JVM shutdown hook (SIGTERM, Ctrl-C): {@link #stop()}. */
    public Thread shutdownHook() {
        return new Thread(this::stop, "procwatch-shutdown");
    }

    /**
     * Graceful shutdown: refuses new requests (503), lets requests in flight finish (up to the drain timeout),
     * evaluates every queued event, closes every open window, writes those notables, and closes the outputs
     * (webhook deliveries get the drain timeout). Idempotent; blocks until done.
     */
    public void stop() {
        if (!stopping.compareAndSet(false, true)) {
            awaitStop();
            return;
        }
        long t0 = System.nanoTime();
        LOG.info("stopping: intake closed, draining {} queued events", engine.metrics().queueDepth());
        try {
            if (watcher != null) {
                watcher.close();
            }
            // Requests in flight finish (their bodies are queued or refused) before Jetty stops.
            long until = System.nanoTime() + cfg.drainTimeout().toNanos();
            while (inFlight.get() > 0 && System.nanoTime() < until) {
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            http.stop();
            closeEngine();
            outputs.close(cfg.drainTimeout());
            EngineMetrics m = engine.metrics();
            LOG.info("stopped in {} ms: {} events processed, {} notables written", (System.nanoTime() - t0) / 1_000_000,
                    m.processed(), m.notables());
        } finally {
            stopped.countDown();
        }
    }

    /** Blocks until {@link #stop()} has finished. */
    public void awaitStop() {
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ------------------------------------------------------------------ handlers

    private void handle(Exchange ex, boolean hec) {
        inFlight.incrementAndGet();
        boolean async = false;
        try {
            async = ingest(ex, hec);
        } finally {
            if (!async) {
                inFlight.decrementAndGet();
            }
        }
    }

    /**
     * Everything that needs only the request line and headers, then the body is read without holding a thread.
     *
     * @return true when the body is being read and {@link #ingestBody} will answer
     */
    private boolean ingest(Exchange ex, boolean hec) {
        if (!"POST".equals(ex.method())) {
            ex.setHeader("Allow", "POST");
            reply(ex, 405, hec, "Method not allowed; POST events", 0, null);
            return false;
        }
        if (!authorized(ex, hec)) {
            return false;
        }
        if (stopping.get() || !engine.isOpen()) {
            ex.setHeader("Retry-After", "5");
            reply(ex, 503, hec, "Server is shutting down", 9, null);
            return false;
        }
        String len = ex.header("Content-Length");
        if (len != null) {
            try {
                if (Long.parseLong(len.strip()) > cfg.maxBodyBytes()) {
                    reply(ex, 413, hec, "Request body larger than " + cfg.maxBodyBytes() + " bytes", 27, null);
                    return false;
                }
            } catch (NumberFormatException ignored) {
                // the read enforces the limit
            }
        }
        long[] charged = {0};
        ex.readBody(cfg.maxBodyBytes(), cfg.http().minBodyRate(), bodies, charged, (raw, failure) -> {
            try {
                ingestBody(ex, hec, raw, failure);
            } catch (RuntimeException | Error e) {
                LOG.error("request failed: {}", e.toString());
                respond(ex, 500, "application/json", "{\"error\":\"internal error\"}");
            } finally {
                bodies.release(charged[0]);
                inFlight.decrementAndGet();
            }
        });
        return true;
    }

    private void ingestBody(Exchange ex, boolean hec, byte[] raw, Throwable failure) {
        if (failure instanceof Exchange.TooLarge) {
            reply(ex, 413, hec, "Request body larger than " + cfg.maxBodyBytes() + " bytes", 27, null);
            return;
        }
        if (failure instanceof Exchange.OverBudget) {
            busy(ex, hec, "Server is busy: too many request bodies pending; retry later");
            return;
        }
        if (failure != null && Exchange.tooSlow(failure)) {
            slowBodies.incrementAndGet();
            reply(ex, 408, hec, "Request body arrived too slowly (" + reason(failure) + "); nothing of it was queued", 6, null);
            return;
        }
        if (failure != null) {
            malformedBodies.incrementAndGet();
            reply(ex, 400, hec, "Unreadable body: " + reason(failure), 6, null);
            return;
        }
        if (!parsing.tryAcquire()) {
            busy(ex, hec, "Server is busy: too many requests being parsed; retry later");
            return;
        }
        try {
            parseAndSubmit(ex, hec, raw);
        } finally {
            parsing.release();
        }
    }

    private void busy(Exchange ex, boolean hec, String text) {
        busyAnswers.incrementAndGet();
        ex.setHeader("Retry-After", "1");
        reply(ex, 503, hec, text, 9, null);
    }

    /** Parse, submit to the engine, acknowledge: a body is queued whole or not at all. */
    private void parseAndSubmit(Exchange ex, boolean hec, byte[] raw) {
        byte[] body;
        try {
            body = "gzip".equalsIgnoreCase(ex.header("Content-Encoding")) ? gunzip(raw) : raw;
        } catch (Exchange.TooLarge e) {
            reply(ex, 413, hec, "Request body larger than " + cfg.maxBodyBytes() + " bytes after gzip decoding", 27, null);
            return;
        } catch (IOException e) {
            malformedBodies.incrementAndGet();
            reply(ex, 400, hec, "Unreadable body: " + reason(e), 6, null);
            return;
        }
        String source = (hec ? "hec" : "http") + ":" + ex.remoteHost();
        if (blank(body)) {
            malformedBodies.incrementAndGet();
            reply(ex, 400, hec, "No data", 5, null);
            return;
        }
        EventBatch batch;
        // HEC raw: the body is event text as a file holds it (XML, JSON lines), no envelopes.
        boolean rawText = ex.path().startsWith("/services/collector/raw");
        if (hec && !rawText) {
            batch = parseHec(body, source);
        } else {
            batch = engine.parse(new ByteArrayInputStream(body), source);
        }
        if (batch.accepted() > cfg.queueCapacity()) {
            refusedHere.addAndGet(batch.accepted());
            reply(ex, 413, hec, batch.accepted() + " events in one request exceed the queue capacity of "
                    + cfg.queueCapacity() + "; send smaller batches", 27, batch);
            return;
        }
        boolean queued;
        try {
            queued = durable != null ? durable.trySubmit(batch) : engine.trySubmit(batch);
        } catch (StateStoreException e) {
            // Never 2xx for an event that could not be kept.
            refusedHere.addAndGet(batch.accepted());
            ex.setHeader("Retry-After", "10");
            reply(ex, 503, hec, "Server cannot keep events: " + reason(e), 9, batch);
            return;
        } catch (IllegalArgumentException tooManyBytes) {
            refusedHere.addAndGet(batch.accepted());
            reply(ex, 413, hec, tooManyBytes.getMessage() + "; send smaller batches", 27, batch);
            return;
        } catch (IllegalStateException closed) {
            refusedHere.addAndGet(batch.accepted());
            queued = false;
        }
        if (!queued) {
            ex.setHeader("Retry-After", "1");
            reply(ex, 503, hec, "Server is busy: the event queue is full; retry later", 9, batch);
            return;
        }
        if (batch.rejected() > 0) {
            malformedBodies.incrementAndGet();
            reply(ex, 400, hec, batch.rejected() + " malformed record(s); " + batch.accepted()
                    + " process event(s) of this body were accepted, do not resend them", 6, batch);
            return;
        }
        reply(ex, 200, hec, "Success", 0, batch);
    }

    private static boolean blank(byte[] body) {
        for (byte b : body) {
            if (!(b == ' ' || b == '\n' || b == '\r' || b == '\t')) {
                return false;
            }
        }
        return true;
    }

    /** A failure's first line, or its type when it has no message ({@code cannot read: null} helps nobody). */
    static String reason(Throwable t) {
        String m = t.getMessage();
        if (m == null || m.isBlank()) {
            return t.getClass().getSimpleName();
        }
        return m.lines().findFirst().orElse(m);
    }

    /**
     * HEC: a stream of JSON envelopes; each {@code event} is an object or a string of JSON or XML. An envelope
     * without a usable {@code event} is one rejected record; text that is not JSON ends the body as one rejected
     * record (the envelopes before it are kept, as Splunk indexes them). Both are counted here, since the engine
     * never sees them: every record received ends in exactly one outcome.
     */
    private EventBatch parseHec(byte[] body, String source) {
        List<ProcessEvent> events = new ArrayList<>();
        List<String> rejections = new ArrayList<>();
        long records = 0;
        long other = 0;
        int n = 0;
        try (JsonParser p = JSON.getFactory().createParser(body);
             MappingIterator<JsonNode> it = JSON.readValues(p, JsonNode.class)) {
            while (it.hasNextValue()) {
                JsonNode env = it.nextValue();
                n++;
                List<JsonNode> envelopes = new ArrayList<>();
                if (env.isArray()) {
                    env.forEach(envelopes::add);
                } else {
                    envelopes.add(env);
                }
                for (JsonNode e : envelopes) {
                    JsonNode ev = e.get("event");
                    String where = source + "#" + n;
                    EventBatch b;
                    if (ev == null || ev.isNull()) {
                        records++;
                        engine.countRejected(where, "Event field is required");
                        rejections.add(where + ": Event field is required");
                        continue;
                    }
                    JsonNode event = HecEnvelope.withEnvelope(e, HecEnvelope.unwrap(ev), JSON);
                    if (event.isObject()) {
                        b = engine.parse(event, where);
                    } else if (event.isTextual()) {
                        b = engine.parse(event.asText(), where);
                    } else {
                        records++;
                        engine.countRejected(where, "event must be an object or a string");
                        rejections.add(where + ": event must be an object or a string");
                        continue;
                    }
                    events.addAll(b.events());
                    rejections.addAll(b.rejections());
                    records += b.records();
                    other += b.other();
                }
            }
        } catch (IOException | RuntimeException e) {
            records++;
            String invalid = "Invalid data format: " + PrintableText.clean(reason(e));
            engine.countRejected(source + "#" + (n + 1), invalid);
            rejections.add(source + "#" + (n + 1) + ": " + invalid);
        }
        return new EventBatch(events, records, other, rejections);
    }

    private boolean authorized(Exchange ex, boolean hec) {
        if (token == null) {
            return true;
        }
        String h = ex.header("Authorization");
        if (h == null || h.isBlank()) {
            ex.setHeader("WWW-Authenticate", "Bearer realm=\"procwatch\"");
            reply(ex, 401, hec, "Token is required", 2, null);
            return false;
        }
        String given = h.startsWith("Bearer ") ? h.substring(7).strip() : h.startsWith("Splunk ") ? h.substring(7).strip() : null;
        if (given == null || !MessageDigest.isEqual(token, given.getBytes(StandardCharsets.UTF_8))) {
            reply(ex, 403, hec, "Invalid token", 4, null);
            return false;
        }
        return true;
    }

    /** Decodes a gzip body, refusing to inflate it beyond the body limit (a gzip bomb costs nothing). */
    private byte[] gunzip(byte[] raw) throws IOException {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(raw), 1 << 16)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[1 << 16];
            int r;
            while ((r = in.read(buf)) > 0) {
                if (out.size() + r > cfg.maxBodyBytes()) {
                    throw new Exchange.TooLarge();
                }
                out.write(buf, 0, r);
            }
            return out.toByteArray();
        }
    }

    private void reply(Exchange ex, int code, boolean hec, String text, int hecCode, EventBatch b) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("text", text);
        m.put("code", hec ? hecCode : code);
        if (b != null) {
            m.put("accepted", b.accepted());
            m.put("other", b.other());
            m.put("rejected", b.rejected());
            if (b.rejected() > 0) {
                m.put("errors", b.rejections().subList(0, Math.min(MAX_ERRORS_SHOWN, b.rejected())));
            }
        }
        try {
            respond(ex, code, "application/json", JSON.writeValueAsString(m));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private void respond(Exchange ex, int code, String type, String body) {
        responses.computeIfAbsent(code, k -> new AtomicLong()).incrementAndGet();
        ex.respond(code, type, body);
    }

    private void health(Exchange ex) throws IOException {
        boolean failed = engine.failure() != null;
        String storeFailure = durable != null ? durable.failure() : null;
        boolean up = !stopping.get() && engine.isOpen() && storeFailure == null;
        EngineMetrics m = engine.metrics();
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("status", failed ? "failed" : up ? "ok" : storeFailure != null ? "cannot keep events" : "stopping");
        if (failed) {
            h.put("failure", engine.failure().toString());
        }
        if (durable != null) {
            h.put("stateDir", durable.store().file().getParent().toString());
            h.put("fsync", durable.store().fsync().name().toLowerCase(java.util.Locale.ROOT));
            if (storeFailure != null) {
                h.put("stateStoreError", storeFailure);
            }
            Map<String, Object> waiting = new LinkedHashMap<>();
            durable.outputMetrics().forEach((o, c) -> waiting.put(o, c.get("undelivered")));
            h.put("undeliveredNotables", waiting);
        }
        h.put("rules", m.rules());
        h.put("rulesOrigin", engine.rules().origin());
        h.put("clock", engine.clock().toString());
        h.put("queueDepth", m.queueDepth());
        h.put("queueBytes", engine.queuedBytes());
        h.put("sessionFailures", engine.sessionFailures());
        io.procwatch.sigma.SigmaRuntime sigma = io.procwatch.sigma.SigmaRuntime.of(engine.rules());
        if (sigma != null && sigma.regexes().budgetExceeded() > 0) {
            h.put("sigmaRulesDisabled", sigma.regexes().disabledRules());
        }
        outputs.health(h);
        h.put("uptimeSeconds", (System.currentTimeMillis() - startedAt) / 1000);
        respond(ex, up ? 200 : 503, "application/json", JSON.writeValueAsString(h));
    }

    private void hecHealth(Exchange ex) {
        boolean up = !stopping.get() && engine.isOpen();
        respond(ex, up ? 200 : 503, "application/json",
                up ? "{\"text\":\"HEC is healthy\",\"code\":17}" : "{\"text\":\"HEC is unhealthy\",\"code\":18}");
    }

    private void metrics(Exchange ex) {
        respond(ex, 200, "text/plain; version=0.0.4; charset=utf-8", prometheus());
    }

    private static void labelled(StringBuilder sb, String name, String type, String help,
                                 Map<String, Map<String, Long>> byOutput, String counter) {
        sb.append("# HELP ").append(name).append(' ').append(help).append("\n# TYPE ").append(name).append(' ').append(type).append('\n');
        byOutput.forEach((o, c) -> sb.append(name).append("{output=\"").append(o).append("\"} ").append(c.get(counter)).append('\n'));
    }

    /** The metrics in the Prometheus text exposition format. */
    String prometheus() {
        EngineMetrics m = engine.metrics();
        StringBuilder sb = new StringBuilder(2048);
        metric(sb, "procwatch_events_received_total", "counter", "Records received over HTTP or stdin (every kind).", m.received());
        metric(sb, "procwatch_events_processed_total", "counter", "Process events evaluated by the rules.", m.processed());
        metric(sb, "procwatch_events_rejected_total", "counter", "Records that could not be used (malformed, no usable time, HEC envelope without event).", m.rejected());
        metric(sb, "procwatch_events_other_total", "counter", "Records that are not process creations (skipped).", m.other());
        metric(sb, "procwatch_events_refused_total", "counter", "Process events refused (503 queue full or stopping, 413 batch larger than the queue).", m.refused() + refusedHere.get());
        metric(sb, "procwatch_events_late_total", "counter", "Events more than the allowance behind the clock (still evaluated).", m.late());
        metric(sb, "procwatch_notables_total", "counter", "Notables emitted.", m.notables());
        sb.append("# HELP procwatch_notables_by_rule_total Notables emitted per detection.\n# TYPE procwatch_notables_by_rule_total counter\n");
        m.notablesByRule().forEach((id, n) -> sb.append("procwatch_notables_by_rule_total{rule_id=\"").append(id).append("\"} ").append(n).append('\n'));
        sb.append("# HELP procwatch_throttled_by_rule_total Detection results throttled (no notable; risk events counted) per detection.\n# TYPE procwatch_throttled_by_rule_total counter\n");
        engine.throttled().forEach((id, n) -> sb.append("procwatch_throttled_by_rule_total{rule_id=\"").append(id).append("\"} ").append(n).append('\n'));
        metric(sb, "procwatch_throttled_total", "counter", "Detection results throttled (no notable).",
                engine.throttled().values().stream().mapToLong(Long::longValue).sum());
        metric(sb, "procwatch_risk_events_total", "counter", "Risk events published.", engine.riskEventCount());
        metric(sb, "procwatch_malformed_bodies_total", "counter", "Request bodies answered 400.", malformedBodies.get());
        sb.append("# HELP procwatch_http_responses_total HTTP responses by status code.\n# TYPE procwatch_http_responses_total counter\n");
        new java.util.TreeMap<>(responses).forEach((c, n) -> sb.append("procwatch_http_responses_total{code=\"").append(c).append("\"} ").append(n.get()).append('\n'));
        metric(sb, "procwatch_queue_depth", "gauge", "Process events waiting for the session thread.", m.queueDepth());
        metric(sb, "procwatch_queue_capacity", "gauge", "Most process events the queue holds.", m.queueCapacity());
        metric(sb, "procwatch_queue_bytes", "gauge", "Estimated bytes of the process events waiting.", engine.queuedBytes());
        metric(sb, "procwatch_queue_bytes_capacity", "gauge", "Most bytes of process events the queue holds.", engine.queueByteCapacity());
        metric(sb, "procwatch_http_pending_body_bytes", "gauge", "Request body bytes received and not yet queued.", bodies.held());
        metric(sb, "procwatch_http_busy_total", "counter", "Ingest requests answered 503 because too many bodies were pending or being parsed.", busyAnswers.get());
        metric(sb, "procwatch_http_slow_header_closes_total", "counter", "Connections closed because their request headers arrived too slowly.", http.slowHeaderCloses());
        metric(sb, "procwatch_http_slow_body_aborts_total", "counter", "Ingest requests answered 408 because their body arrived slower than the minimum rate or stalled past the idle timeout.", slowBodies.get());
        metric(sb, "procwatch_http_connections_open", "gauge", "Client connections open.", http.connectionCap().openConnections());
        metric(sb, "procwatch_http_connections_max", "gauge", "Most client connections open at once (--max-connections).", cfg.http().maxConnections());
        metric(sb, "procwatch_http_connections_evicted_total", "counter", "Idle connections closed to make room for a new one at the connection limit.", http.connectionCap().evicted());
        metric(sb, "procwatch_http_connections_refused_total", "counter", "New connections closed at the connection limit because every other one was inside a request.", http.connectionCap().refused());
        io.procwatch.sigma.SigmaRuntime sigma = io.procwatch.sigma.SigmaRuntime.of(engine.rules());
        if (sigma != null) {
            metric(sb, "procwatch_sigma_regex_rules_disabled", "gauge", "Sigma rules in force disabled because a regular expression exceeded its step budget (reset by a reload).", sigma.regexes().budgetExceeded());
            metric(sb, "procwatch_sigma_regex_moved_to_linear", "gauge", "Sigma regular expressions of the rules in force that exceeded their step budget and run on the linear-time engine (RE2/J) since.", sigma.regexes().switchedToLinear());
        }
        metric(sb, "procwatch_session_failures_total", "counter", "Session thread failures recovered with a new session.", engine.sessionFailures());
        metric(sb, "procwatch_open_windows", "gauge", "Notable groups (windows) open.", m.openGroups());
        metric(sb, "procwatch_watermark_seconds", "gauge", "Time up to which windows are closed (epoch seconds).",
                m.watermark() == Long.MIN_VALUE || m.watermark() == Long.MAX_VALUE ? 0 : m.watermark() / 1000.0);
        metric(sb, "procwatch_rules", "gauge", "DRL rules in force.", m.rules());
        metric(sb, "procwatch_rule_reloads_total", "counter", "Successful rule reloads.", m.reloads());
        metric(sb, "procwatch_rule_reload_failures_total", "counter", "Reloads refused or failed (rules did not compile, or the loader threw).", m.reloadFailures());
        metric(sb, "procwatch_listener_errors_total", "counter", "Notable listener failures.", m.listenerErrors());
        metric(sb, "procwatch_output_errors_total", "counter", "Notables an output failed to write.", outputs.errors.get());
        outputs.metrics((name, help, value) -> metric(sb, name, name.endsWith("_total") ? "counter" : "gauge", help, value));
        WebhookSender w = outputs.webhook();
        if (w != null) {
            metric(sb, "procwatch_webhook_delivered_total", "counter", "Notables delivered to the webhook.", w.delivered.get());
            metric(sb, "procwatch_webhook_retries_total", "counter", "Webhook delivery retries.", w.retried.get());
            metric(sb, "procwatch_webhook_failed_total", "counter", "Notables the webhook never accepted.", w.failed.get());
            metric(sb, "procwatch_webhook_dropped_total", "counter", "Notables dropped because the webhook queue was full.", w.dropped.get());
            metric(sb, "procwatch_webhook_queue_depth", "gauge", "Notables waiting for the webhook.", w.pending());
        }
        if (durable != null && !durable.outputMetrics().isEmpty()) {
            Map<String, Map<String, Long>> om = durable.outputMetrics();
            labelled(sb, "procwatch_undelivered_notables", "gauge", "Notables kept in the state until this output takes them.", om, "undelivered");
            labelled(sb, "procwatch_state_delivered_total", "counter", "Notables this output took from the state since the start.", om, "delivered");
            labelled(sb, "procwatch_state_delivery_retries_total", "counter", "Failed attempts to deliver a kept notable (each retried).", om, "retries");
            labelled(sb, "procwatch_state_delivery_refused_total", "counter", "Kept notables the output refused for good (dropped).", om, "refused");
        }
        if (durable != null) {
            Map<String, Long> dm = durable.metrics();
            metric(sb, "procwatch_state_snapshots_total", "counter", "Snapshots of the detection state written since the start.", dm.get("snapshots"));
            metric(sb, "procwatch_state_journal_batches", "gauge", "Acknowledged batches in the journal, not yet in a snapshot.", dm.get("journal_batches"));
        }
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        metric(sb, "procwatch_heap_used_bytes", "gauge", "JVM heap in use.", heap.getUsed());
        metric(sb, "procwatch_heap_max_bytes", "gauge", "JVM heap limit.", heap.getMax());
        metric(sb, "procwatch_uptime_seconds", "gauge", "Seconds since start.", (System.currentTimeMillis() - startedAt) / 1000.0);
        return sb.toString();
    }

    private static void metric(StringBuilder sb, String name, String type, String help, double value) {
        sb.append("# HELP ").append(name).append(' ').append(help).append('\n');
        sb.append("# TYPE ").append(name).append(' ').append(type).append('\n');
        sb.append(name).append(' ');
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            sb.append((long) value);
        } else {
            sb.append(value);
        }
        sb.append('\n');
    }
}
