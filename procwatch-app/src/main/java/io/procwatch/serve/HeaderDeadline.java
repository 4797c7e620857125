package io.procwatch.serve;

import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.server.internal.HttpConnection;
import org.eclipse.jetty.util.thread.Scheduler;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Closes connections whose request line and headers take longer than the header timeout to arrive. Jetty's idle
 * timeout alone does not: a client sending one header byte every few seconds is never idle (slowloris). Jetty
 * reads headers without holding a worker thread, so this only frees the connection slot.
 */
final class HeaderDeadline implements Connection.Listener {

    private final long timeoutNanos;
    private final Scheduler scheduler;
    /** Open HTTP/1 connections and when their current header began (0: not inside a header). */
    private final Map<HttpConnection, Long> open = new ConcurrentHashMap<>();
    private volatile boolean running = true;
    private final java.util.concurrent.atomic.AtomicLong closed = new java.util.concurrent.atomic.AtomicLong();

    HeaderDeadline(java.time.Duration timeout, Scheduler scheduler) {
        this.timeoutNanos = timeout.toNanos();
        this.scheduler = scheduler;
    }

    void start() {
        schedule();
    }

    void stop() {
        running = false;
    }

    /** Connections closed for slow headers so far. */
    long closed() {
        return closed.get();
    }

    private void schedule() {
        if (running) {
            scheduler.schedule(this::sweep, Math.max(100, timeoutNanos / 4_000_000), TimeUnit.MILLISECONDS);
        }
    }

    private void sweep() {
        try {
            long now = System.nanoTime();
            open.replaceAll((c, since) -> {
                // Between requests the parser is at START: the idle timeout governs that, not this.
                boolean inHeader = !c.getParser().isStart() && c.getParser().inHeaderState();
                if (!inHeader) {
                    return 0L;
                }
                if (since == 0L) {
                    return now;
                }
                if (now - since > timeoutNanos) {
                    closed.incrementAndGet();
                    c.getEndPoint().close();
                }
                return since;
            });
        } finally {
            schedule();
        }
    }

    @Override
    public void onOpened(Connection connection) {
        if (connection instanceof HttpConnection h) {
            open.put(h, 0L);
        }
    }

    @Override
    public void onClosed(Connection connection) {
        if (connection instanceof HttpConnection h) {
            open.remove(h);
        }
    }
}
