package io.procwatch.serve;

import io.procwatch.engine.EngineClock;
import io.procwatch.engine.NotableListener;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Settings of {@code procwatch serve}.
 *
 * @param bind           address to listen on (default 127.0.0.1: local only)
 * @param port           TCP port (0 picks a free one; default 8088, Splunk HEC's)
 * @param token          required as {@code Authorization: Bearer <token>} or {@code Splunk <token>} on ingest
 *                       endpoints; {@code null} for none
 * @param maxBodyBytes   largest request body accepted, after gzip decoding (413 above)
 * @param queueCapacity  process events waiting for the session thread (503 when full)
 * @param lateness       late-event allowance
 * @param clock          wall clock (live) normally; event time for replays and tests
 * @param out            NDJSON file notables are appended to, or {@code null}
 * @param stdout         also write notables to standard output as NDJSON
 * @param webhook        URL each notable is POSTed to as JSON, or {@code null}
 * @param webhookRetries attempts after the first failed delivery
 * @param webhookBackoff wait before the first retry (doubles each time, at most 30 s)
 * @param httpThreads    ingest requests parsed at once; beyond, ingest answers 503 + {@code Retry-After} (the
 *                       HTTP worker pool keeps threads for {@code /health} and {@code /metrics})
 * @param drainTimeout   how long shutdown waits for in-flight requests and webhook deliveries
 * @param tap            also told each notable after the outputs (embedding and tests), or {@code null}
 * @param http           connection, timeout and body-byte limits of the HTTP server
 * @param tlsCert        PEM certificate chain for HTTPS, or {@code null} for plain HTTP
 * @param tlsKey         PEM (PKCS#8) private key of {@code tlsCert}
 * @param queueBytes     bytes of process events waiting for the session thread, at most (503 beyond)
 */
public record ServeConfig(String bind, int port, String token, long maxBodyBytes, int queueCapacity, Duration lateness,
                          EngineClock clock, Path out, boolean stdout, URI webhook, int webhookRetries,
                          Duration webhookBackoff, int httpThreads, Duration drainTimeout, NotableListener tap,
                          HttpLimits http, Path tlsCert, Path tlsKey, long queueBytes) {

    public static ServeConfig defaults() {
        return new ServeConfig("127.0.0.1", 8088, null, 10L * 1024 * 1024, 10_000, Duration.ofMinutes(10),
                EngineClock.wall(), null, false, null, 5, Duration.ofSeconds(1), 4, Duration.ofSeconds(10), null,
                HttpLimits.defaults(), null, null, 256L * 1024 * 1024);
    }

    public ServeConfig withPort(int p) {
        return new ServeConfig(bind, p, token, maxBodyBytes, queueCapacity, lateness, clock, out, stdout, webhook,
                webhookRetries, webhookBackoff, httpThreads, drainTimeout, tap, http, tlsCert, tlsKey, queueBytes);
    }

    public ServeConfig withToken(String t) {
        return new ServeConfig(bind, port, t, maxBodyBytes, queueCapacity, lateness, clock, out, stdout, webhook,
                webhookRetries, webhookBackoff, httpThreads, drainTimeout, tap, http, tlsCert, tlsKey, queueBytes);
    }

    public ServeConfig withOutputs(Path file, boolean toStdout, URI hook) {
        return new ServeConfig(bind, port, token, maxBodyBytes, queueCapacity, lateness, clock, file, toStdout, hook,
                webhookRetries, webhookBackoff, httpThreads, drainTimeout, tap, http, tlsCert, tlsKey, queueBytes);
    }

    public ServeConfig withLimits(long maxBody, int queue) {
        return new ServeConfig(bind, port, token, maxBody, queue, lateness, clock, out, stdout, webhook,
                webhookRetries, webhookBackoff, httpThreads, drainTimeout, tap, http, tlsCert, tlsKey, queueBytes);
    }

    public ServeConfig withClock(EngineClock c, Duration late) {
        return new ServeConfig(bind, port, token, maxBodyBytes, queueCapacity, late, c, out, stdout, webhook,
                webhookRetries, webhookBackoff, httpThreads, drainTimeout, tap, http, tlsCert, tlsKey, queueBytes);
    }

    public ServeConfig withBind(String address) {
        return new ServeConfig(address, port, token, maxBodyBytes, queueCapacity, lateness, clock, out, stdout, webhook,
                webhookRetries, webhookBackoff, httpThreads, drainTimeout, tap, http, tlsCert, tlsKey, queueBytes);
    }

    public ServeConfig withWebhookRetries(int retries, Duration backoff) {
        return new ServeConfig(bind, port, token, maxBodyBytes, queueCapacity, lateness, clock, out, stdout, webhook,
                retries, backoff, httpThreads, drainTimeout, tap, http, tlsCert, tlsKey, queueBytes);
    }

    public ServeConfig withTap(NotableListener t) {
        return new ServeConfig(bind, port, token, maxBodyBytes, queueCapacity, lateness, clock, out, stdout, webhook,
                webhookRetries, webhookBackoff, httpThreads, drainTimeout, t, http, tlsCert, tlsKey, queueBytes);
    }

    public ServeConfig withHttp(HttpLimits limits) {
        return new ServeConfig(bind, port, token, maxBodyBytes, queueCapacity, lateness, clock, out, stdout, webhook,
                webhookRetries, webhookBackoff, httpThreads, drainTimeout, tap, limits, tlsCert, tlsKey, queueBytes);
    }

    /** HTTPS from a PEM certificate chain and PKCS#8 key; both null for plain HTTP. */
    public ServeConfig withTls(Path cert, Path key) {
        return new ServeConfig(bind, port, token, maxBodyBytes, queueCapacity, lateness, clock, out, stdout, webhook,
                webhookRetries, webhookBackoff, httpThreads, drainTimeout, tap, http, cert, key, queueBytes);
    }

    public ServeConfig withQueueBytes(long bytes) {
        return new ServeConfig(bind, port, token, maxBodyBytes, queueCapacity, lateness, clock, out, stdout, webhook,
                webhookRetries, webhookBackoff, httpThreads, drainTimeout, tap, http, tlsCert, tlsKey, bytes);
    }
}
