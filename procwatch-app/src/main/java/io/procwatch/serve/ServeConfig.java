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
 * @param httpThreads    request handler threads
 * @param drainTimeout   how long shutdown waits for in-flight requests and webhook deliveries
 * @param tap            also told each notable after the outputs (embedding and tests), or {@code null}
 */
public record ServeConfig(String bind, int port, String token, long maxBodyBytes, int queueCapacity, Duration lateness,
                          EngineClock clock, Path out, boolean stdout, URI webhook, int webhookRetries,
                          Duration webhookBackoff, int httpThreads, Duration drainTimeout, NotableListener tap) {

    public static ServeConfig defaults() {
        return new ServeConfig("127.0.0.1", 8088, null, 10L * 1024 * 1024, 10_000, Duration.ofMinutes(10),
                EngineClock.wall(), null, false, null, 5, Duration.ofSeconds(1), 4, Duration.ofSeconds(10), null);
    }

    public ServeConfig withPort(int p) {
        return new ServeConfig(bind, p, token, maxBodyBytes, queueCapacity, lateness, clock, out, stdout, webhook,
                webhookRetries, webhookBackoff, httpThreads, drainTimeout, tap);
    }

    public ServeConfig withToken(String t) {
        return new ServeConfig(bind, port, t, maxBodyBytes, queueCapacity, lateness, clock, out, stdout, webhook,
                webhookRetries, webhookBackoff, httpThreads, drainTimeout, tap);
    }

    public ServeConfig withOutputs(Path file, boolean toStdout, URI hook) {
        return new ServeConfig(bind, port, token, maxBodyBytes, queueCapacity, lateness, clock, file, toStdout, hook,
                webhookRetries, webhookBackoff, httpThreads, drainTimeout, tap);
    }

    public ServeConfig withLimits(long maxBody, int queue) {
        return new ServeConfig(bind, port, token, maxBody, queue, lateness, clock, out, stdout, webhook,
                webhookRetries, webhookBackoff, httpThreads, drainTimeout, tap);
    }

    public ServeConfig withClock(EngineClock c, Duration late) {
        return new ServeConfig(bind, port, token, maxBodyBytes, queueCapacity, late, c, out, stdout, webhook,
                webhookRetries, webhookBackoff, httpThreads, drainTimeout, tap);
    }

    public ServeConfig withBind(String address) {
        return new ServeConfig(address, port, token, maxBodyBytes, queueCapacity, lateness, clock, out, stdout, webhook,
                webhookRetries, webhookBackoff, httpThreads, drainTimeout, tap);
    }

    public ServeConfig withWebhookRetries(int retries, Duration backoff) {
        return new ServeConfig(bind, port, token, maxBodyBytes, queueCapacity, lateness, clock, out, stdout, webhook,
                retries, backoff, httpThreads, drainTimeout, tap);
    }

    public ServeConfig withTap(NotableListener t) {
        return new ServeConfig(bind, port, token, maxBodyBytes, queueCapacity, lateness, clock, out, stdout, webhook,
                webhookRetries, webhookBackoff, httpThreads, drainTimeout, t);
    }
}
