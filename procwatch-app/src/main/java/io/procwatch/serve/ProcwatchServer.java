package io.procwatch.serve;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.procwatch.detect.RuleSet;
import io.procwatch.engine.EngineMetrics;
import io.procwatch.engine.EventBatch;
import io.procwatch.engine.ProcwatchEngine;
import io.procwatch.engine.RuleWatcher;
import io.procwatch.normalize.ProcessEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.zip.GZIPInputStream;

/**
 * {@code procwatch serve}: a long-running detection service on the JDK HTTP server.
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
 * says how many), 401/403 token missing/wrong, 413 too large, 503 + {@code Retry-After} queue full or stopping.
 * {@link #stop()} (the SIGTERM hook) stops intake, drains the queue, flushes every open window to the outputs and
 * closes them.
 */
public final class ProcwatchServer {

    private static final Logger LOG = LoggerFactory.getLogger(ProcwatchServer.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_ERRORS_SHOWN = 20;

    private final ServeConfig cfg;
    private final ProcwatchEngine engine;
    private final NotableOutputs outputs;
    private final HttpServer http;
    private final ExecutorService handlers;
    private final byte[] token;
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Map<Integer, AtomicLong> responses = new ConcurrentHashMap<>();
    private final AtomicLong malformedBodies = new AtomicLong();
    private final AtomicLong inFlight = new AtomicLong();
    private final long startedAt = System.currentTimeMillis();
    private volatile RuleWatcher watcher;

    private ProcwatchServer(ServeConfig cfg, RuleSet rules, PrintStream stdout) throws IOException {
        this.cfg = cfg;
        this.token = cfg.token() != null ? cfg.token().getBytes(StandardCharsets.UTF_8) : null;
        this.outputs = new NotableOutputs(cfg, stdout);
        try {
            this.engine = ProcwatchEngine.builder().rules(rules).clock(cfg.clock()).lateness(cfg.lateness())
                    .queueCapacity(cfg.queueCapacity()).submitTimeout(java.time.Duration.ofDays(365))
                    .onNotable(outputs).build();
        } catch (Exception e) {
            outputs.close();
            throw new IOException(e);
        }
        this.http = HttpServer.create(new InetSocketAddress(cfg.bind(), cfg.port()), 128);
        this.handlers = Executors.newFixedThreadPool(cfg.httpThreads(), r -> {
            Thread t = new Thread(r, "procwatch-http");
            t.setDaemon(true);
            return t;
        });
        http.setExecutor(handlers);
        http.createContext("/events", ex -> handle(ex, false));
        http.createContext("/services/collector", ex -> handle(ex, true));
        http.createContext("/services/collector/event", ex -> handle(ex, true));
        http.createContext("/services/collector/raw", ex -> handle(ex, true));
        http.createContext("/services/collector/health", this::hecHealth);
        http.createContext("/health", this::health);
        http.createContext("/metrics", this::metrics);
        http.createContext("/", ex -> respond(ex, 404, "application/json", "{\"error\":\"no such endpoint\"}"));
    }

    /**
     * Starts listening. The engine, outputs and HTTP server are this instance's own.
     *
     * @param stdout where {@code --stdout} notables go
     */
    public static ProcwatchServer start(ServeConfig cfg, RuleSet rules, PrintStream stdout) throws IOException {
        ProcwatchServer s = new ProcwatchServer(cfg, rules, stdout);
        s.http.start();
        LOG.info("procwatch serve listening on http://{}:{} ({} rules from {}, {}, lateness {}, queue {} events{})",
                cfg.bind(), s.port(), rules.ruleCount(), rules.origin(), cfg.clock(), cfg.lateness(),
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

    /** The bound port (useful with port 0). */
    public int port() {
        return http.getAddress().getPort();
    }

    public ProcwatchEngine engine() {
        return engine;
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
            // HttpServer.stop(n) of JDK 17 always waits n seconds; wait for our own in-flight count instead.
            long until = System.nanoTime() + cfg.drainTimeout().toNanos();
            while (inFlight.get() > 0 && System.nanoTime() < until) {
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            http.stop(0);
            handlers.shutdown();
            engine.close();
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

    private void handle(HttpExchange ex, boolean hec) throws IOException {
        inFlight.incrementAndGet();
        try {
            ingest(ex, hec);
        } finally {
            inFlight.decrementAndGet();
        }
    }

    private void ingest(HttpExchange ex, boolean hec) throws IOException {
        try (ex) {
            if (!"POST".equals(ex.getRequestMethod())) {
                ex.getResponseHeaders().set("Allow", "POST");
                reply(ex, 405, hec, "Method not allowed; POST events", 0, null);
                return;
            }
            if (!authorized(ex, hec)) {
                return;
            }
            if (stopping.get()) {
                ex.getResponseHeaders().set("Retry-After", "5");
                reply(ex, 503, hec, "Server is shutting down", 9, null);
                return;
            }
            byte[] body;
            try {
                body = readBody(ex);
            } catch (TooLarge e) {
                reply(ex, 413, hec, "Request body larger than " + cfg.maxBodyBytes() + " bytes", 27, null);
                return;
            } catch (IOException e) {
                malformedBodies.incrementAndGet();
                reply(ex, 400, hec, "Unreadable body: " + e.getMessage(), 6, null);
                return;
            }
            String source = (hec ? "hec" : "http") + ":" + ex.getRemoteAddress().getAddress().getHostAddress();
            EventBatch batch;
            if (body.length == 0 || new String(body, StandardCharsets.UTF_8).isBlank()) {
                malformedBodies.incrementAndGet();
                reply(ex, 400, hec, "No data", 5, null);
                return;
            }
            if (hec && ex.getRequestURI().getPath().startsWith("/services/collector/raw")) {
                // HEC raw: the body is event text as a file holds it (XML, JSON lines), no envelopes.
                batch = engine.parse(new java.io.ByteArrayInputStream(body), source);
            } else if (hec) {
                try {
                    batch = parseHec(body, source);
                } catch (IOException e) {
                    malformedBodies.incrementAndGet();
                    reply(ex, 400, hec, "Invalid data format: " + e.getMessage().lines().findFirst().orElse(""), 6, null);
                    return;
                }
            } else {
                batch = engine.parse(new java.io.ByteArrayInputStream(body), source);
            }
            if (batch.accepted() > cfg.queueCapacity()) {
                reply(ex, 413, hec, batch.accepted() + " events in one request exceed the queue capacity of "
                        + cfg.queueCapacity() + "; send smaller batches", 27, batch);
                return;
            }
            boolean queued;
            try {
                queued = engine.trySubmit(batch);
            } catch (IllegalStateException closed) {
                queued = false;
            }
            if (!queued) {
                ex.getResponseHeaders().set("Retry-After", "1");
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
        } catch (RuntimeException e) {
            LOG.error("request failed", e);
            throw e;
        }
    }

    /** HEC: a stream of JSON envelopes; each {@code event} is an object or a string of JSON or XML. */
    private EventBatch parseHec(byte[] body, String source) throws IOException {
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
                        rejections.add(where + ": Event field is required");
                        continue;
                    } else if (ev.isTextual() || ev.isObject()) {
                        b = engine.parse(HecEnvelope.eventText(e, ev, JSON), where);
                    } else {
                        records++;
                        rejections.add(where + ": event must be an object or a string");
                        continue;
                    }
                    events.addAll(b.events());
                    rejections.addAll(b.rejections());
                    records += b.records();
                    other += b.other();
                }
            }
        }
        return new EventBatch(events, records, other, rejections);
    }

    private boolean authorized(HttpExchange ex, boolean hec) throws IOException {
        if (token == null) {
            return true;
        }
        String h = ex.getRequestHeaders().getFirst("Authorization");
        if (h == null || h.isBlank()) {
            ex.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"procwatch\"");
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

    private static final class TooLarge extends IOException {
    }

    private byte[] readBody(HttpExchange ex) throws IOException {
        String len = ex.getRequestHeaders().getFirst("Content-Length");
        if (len != null) {
            try {
                if (Long.parseLong(len.strip()) > cfg.maxBodyBytes()) {
                    throw new TooLarge();
                }
            } catch (NumberFormatException ignored) {
                // chunked or odd: the read below enforces the limit
            }
        }
        InputStream in = ex.getRequestBody();
        if ("gzip".equalsIgnoreCase(ex.getRequestHeaders().getFirst("Content-Encoding"))) {
            in = new GZIPInputStream(in);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[1 << 16];
        int r;
        while ((r = in.read(buf)) > 0) {
            if (out.size() + r > cfg.maxBodyBytes()) {
                throw new TooLarge();
            }
            out.write(buf, 0, r);
        }
        return out.toByteArray();
    }

    private void reply(HttpExchange ex, int code, boolean hec, String text, int hecCode, EventBatch b) throws IOException {
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
        respond(ex, code, "application/json", JSON.writeValueAsString(m));
    }

    private void respond(HttpExchange ex, int code, String type, String body) throws IOException {
        responses.computeIfAbsent(code, k -> new AtomicLong()).incrementAndGet();
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(code, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            ex.getResponseBody().write(bytes);
        }
        ex.close();
    }

    private void health(HttpExchange ex) throws IOException {
        boolean up = !stopping.get() && engine.isOpen();
        EngineMetrics m = engine.metrics();
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("status", up ? "ok" : "stopping");
        h.put("rules", m.rules());
        h.put("rulesOrigin", engine.rules().origin());
        h.put("clock", engine.clock().toString());
        h.put("queueDepth", m.queueDepth());
        h.put("uptimeSeconds", (System.currentTimeMillis() - startedAt) / 1000);
        respond(ex, up ? 200 : 503, "application/json", JSON.writeValueAsString(h));
    }

    private void hecHealth(HttpExchange ex) throws IOException {
        boolean up = !stopping.get() && engine.isOpen();
        respond(ex, up ? 200 : 503, "application/json",
                up ? "{\"text\":\"HEC is healthy\",\"code\":17}" : "{\"text\":\"HEC is unhealthy\",\"code\":18}");
    }

    private void metrics(HttpExchange ex) throws IOException {
        respond(ex, 200, "text/plain; version=0.0.4; charset=utf-8", prometheus());
    }

    /** The metrics in the Prometheus text exposition format. */
    String prometheus() {
        EngineMetrics m = engine.metrics();
        StringBuilder sb = new StringBuilder(2048);
        metric(sb, "procwatch_events_received_total", "counter", "Records received over HTTP or stdin (every kind).", m.received());
        metric(sb, "procwatch_events_processed_total", "counter", "Process events evaluated by the rules.", m.processed());
        metric(sb, "procwatch_events_rejected_total", "counter", "Records that could not be used (malformed, no usable time).", m.rejected());
        metric(sb, "procwatch_events_other_total", "counter", "Records that are not process creations (skipped).", m.other());
        metric(sb, "procwatch_events_refused_total", "counter", "Process events refused with 503 because the queue was full.", m.refused());
        metric(sb, "procwatch_events_late_total", "counter", "Events more than the allowance behind the clock (still evaluated).", m.late());
        metric(sb, "procwatch_notables_total", "counter", "Notables emitted.", m.notables());
        sb.append("# HELP procwatch_notables_by_rule_total Notables emitted per detection.\n# TYPE procwatch_notables_by_rule_total counter\n");
        m.notablesByRule().forEach((id, n) -> sb.append("procwatch_notables_by_rule_total{rule_id=\"").append(id).append("\"} ").append(n).append('\n'));
        metric(sb, "procwatch_malformed_bodies_total", "counter", "Request bodies answered 400.", malformedBodies.get());
        sb.append("# HELP procwatch_http_responses_total HTTP responses by status code.\n# TYPE procwatch_http_responses_total counter\n");
        new java.util.TreeMap<>(responses).forEach((c, n) -> sb.append("procwatch_http_responses_total{code=\"").append(c).append("\"} ").append(n.get()).append('\n'));
        metric(sb, "procwatch_queue_depth", "gauge", "Process events waiting for the session thread.", m.queueDepth());
        metric(sb, "procwatch_queue_capacity", "gauge", "Most process events the queue holds.", m.queueCapacity());
        metric(sb, "procwatch_open_windows", "gauge", "Notable groups (windows) open.", m.openGroups());
        metric(sb, "procwatch_watermark_seconds", "gauge", "Time up to which windows are closed (epoch seconds).",
                m.watermark() == Long.MIN_VALUE || m.watermark() == Long.MAX_VALUE ? 0 : m.watermark() / 1000.0);
        metric(sb, "procwatch_rules", "gauge", "DRL rules in force.", m.rules());
        metric(sb, "procwatch_rule_reloads_total", "counter", "Successful rule reloads.", m.reloads());
        metric(sb, "procwatch_rule_reload_failures_total", "counter", "Reloads refused (rules did not compile).", m.reloadFailures());
        metric(sb, "procwatch_listener_errors_total", "counter", "Notable listener failures.", m.listenerErrors());
        metric(sb, "procwatch_output_errors_total", "counter", "Notables an output failed to write.", outputs.errors.get());
        WebhookSender w = outputs.webhook();
        if (w != null) {
            metric(sb, "procwatch_webhook_delivered_total", "counter", "Notables delivered to the webhook.", w.delivered.get());
            metric(sb, "procwatch_webhook_retries_total", "counter", "Webhook delivery retries.", w.retried.get());
            metric(sb, "procwatch_webhook_failed_total", "counter", "Notables the webhook never accepted.", w.failed.get());
            metric(sb, "procwatch_webhook_dropped_total", "counter", "Notables dropped because the webhook queue was full.", w.dropped.get());
            metric(sb, "procwatch_webhook_queue_depth", "gauge", "Notables waiting for the webhook.", w.pending());
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
