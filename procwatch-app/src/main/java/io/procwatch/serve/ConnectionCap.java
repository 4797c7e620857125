package io.procwatch.serve;

import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.server.internal.HttpConnection;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The connection limit of {@code serve}: when a new connection would make more than the limit open, the connection
 * idle longest (between requests, or opened and silent; the oldest of those equally idle) is closed to make room, so a crowd of idle or silent clients
 * cannot keep {@code /health} or a collector out; when every other connection is inside a request (their bodies are
 * bounded by the minimum rate, their headers by the header deadline), the new connection is closed instead.
 *
 * <p>Not Jetty's {@code NetworkConnectionLimit}: that one stops accepting at the limit and shortens the idle timeout
 * of the connections open then; measured on Jetty 12.1.13, silent connections at the limit kept their 30 s idle
 * timeout and a {@code /health} waiting in the accept backlog was not answered within 40 s.
 */
final class ConnectionCap implements Connection.Listener {

    private final int max;
    /** Open connections and the order they opened in. */
    private final Map<HttpConnection, Long> open = new ConcurrentHashMap<>();
    private final AtomicLong opened = new AtomicLong();
    private final AtomicLong evicted = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();

    ConnectionCap(int max) {
        this.max = max;
    }

    @Override
    public void onOpened(Connection connection) {
        if (connection instanceof HttpConnection h) {
            open.put(h, opened.incrementAndGet());
            if (open.size() > max) {
                makeRoom(h);
            }
        }
    }

    @Override
    public void onClosed(Connection connection) {
        if (connection instanceof HttpConnection h) {
            open.remove(h);
        }
    }

    private synchronized void makeRoom(HttpConnection newest) {
        while (open.size() > max) {
            // The idlest by quarter seconds of silence, then the oldest.
            HttpConnection idlest = null;
            long longest = -1;
            long oldest = Long.MAX_VALUE;
            for (Map.Entry<HttpConnection, Long> e : open.entrySet()) {
                HttpConnection c = e.getKey();
                // At START the parser has no request in progress: between requests, or nothing sent yet.
                if (c == newest || !c.getParser().isStart()) {
                    continue;
                }
                long quarters = idleFor(c) / 250;
                if (quarters > longest || quarters == longest && e.getValue() < oldest) {
                    idlest = c;
                    longest = quarters;
                    oldest = e.getValue();
                }
            }
            HttpConnection victim = idlest != null ? idlest : newest;
            (idlest != null ? evicted : refused).incrementAndGet();
            open.remove(victim);
            victim.getEndPoint().close();
            if (victim == newest) {
                return;
            }
        }
    }

    /** Milliseconds since the connection's last traffic (since it opened when the end point cannot say). */
    private static long idleFor(HttpConnection c) {
        if (c.getEndPoint() instanceof org.eclipse.jetty.io.IdleTimeout t) {
            return t.getIdleFor();
        }
        return System.currentTimeMillis() - c.getCreatedTimeStamp();
    }

    /** Client connections open now. */
    int openConnections() {
        return open.size();
    }

    /** Idle connections closed to make room for a new one. */
    long evicted() {
        return evicted.get();
    }

    /** New connections closed because every other one was inside a request. */
    long refused() {
        return refused.get();
    }
}
