package io.procwatch.serve;

import java.time.Duration;

/**
 * What one client, or many, may take of the HTTP front of {@code serve}, so that slow or numerous clients cannot
 * starve {@code /health} or each other.
 *
 * @param maxConnections   open connections at most; a new one beyond closes the connection idle longest, or
 *                         itself when every other one is inside a request ({@link ConnectionCap})
 * @param idleTimeout      a connection with no traffic for this long is closed
 * @param headerTimeout    a request whose line and headers have not fully arrived this long after they began is
 *                         answered by closing the connection (slow-header clients)
 * @param minBodyRate      a request body arriving slower than this many bytes per second is aborted
 * @param maxHeaderBytes   largest request line plus headers (431 above)
 * @param workerThreads    the worker pool's most threads (selectors and acceptors included)
 * @param pendingBodyBytes body bytes held at once by ingest requests being received or parsed; beyond, 503
 */
public record HttpLimits(int maxConnections, Duration idleTimeout, Duration headerTimeout, long minBodyRate,
                         int maxHeaderBytes, int workerThreads, long pendingBodyBytes) {

    /** 512 connections, 30 s idle, 10 s for headers, 1 KiB/s bodies, 16 KiB headers, 32 threads, 96 MiB of bodies. */
    public static HttpLimits defaults() {
        return new HttpLimits(512, Duration.ofSeconds(30), Duration.ofSeconds(10), 1024, 16 * 1024, 32,
                96L * 1024 * 1024);
    }

    public HttpLimits withTimeouts(Duration idle, Duration header) {
        return new HttpLimits(maxConnections, idle, header, minBodyRate, maxHeaderBytes, workerThreads,
                pendingBodyBytes);
    }

    public HttpLimits withConnections(int max) {
        return new HttpLimits(max, idleTimeout, headerTimeout, minBodyRate, maxHeaderBytes, workerThreads,
                pendingBodyBytes);
    }

    public HttpLimits withPendingBodyBytes(long pendingBytes) {
        return new HttpLimits(maxConnections, idleTimeout, headerTimeout, minBodyRate, maxHeaderBytes, workerThreads,
                pendingBytes);
    }
}
