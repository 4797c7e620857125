package io.procwatch.serve;

import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * The Jetty server in front of {@code serve}: one connector (plain HTTP, or TLS from PEM files) with the limits of
 * {@link HttpLimits}: a bounded worker pool, a connection limit, idle, header and body-rate
 * timeouts, and a header size limit. Jetty waits for request bytes on its selector, not on a worker thread, so slow
 * clients hold connection slots (which the timeouts free), never the threads {@code /health} needs.
 */
final class HttpFront {

    private final Server server;
    private final ServerConnector connector;
    private final HeaderDeadline headerDeadline;
    private final ConnectionCap cap;

    /**
     * @param tls      certificate chain and key (PEM), or null for plain HTTP
     * @param handler  gets every request
     */
    HttpFront(String bind, int port, HttpLimits limits, Path[] tls, Consumer<Exchange> handler) throws IOException {
        // Jobs queue without bound: the connection limit bounds them, and requests never wait on a worker.
        QueuedThreadPool pool = new QueuedThreadPool(limits.workerThreads(), Math.min(4, limits.workerThreads()), 60_000);
        pool.setName("procwatch-http");
        pool.setDaemon(true);
        server = new Server(pool);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setRequestHeaderSize(limits.maxHeaderBytes());
        http.setIdleTimeout(limits.idleTimeout().toMillis());
        // The minimum body rate is enforced by Exchange.readBody: Jetty checks minRequestDataRate only in its
        // servlet layer, not for a core Handler like this one.
        HttpConnectionFactory h1 = new HttpConnectionFactory(http);
        if (tls != null) {
            SslContextFactory.Server ssl = new SslContextFactory.Server();
            ssl.setKeyStore(PemKeyStore.load(tls[0], tls[1]));
            ssl.setKeyStorePassword(new String(PemKeyStore.PASSWORD));
            ssl.setKeyManagerPassword(new String(PemKeyStore.PASSWORD));
            connector = new ServerConnector(server, 1, 1, new SslConnectionFactory(ssl, h1.getProtocol()), h1);
        } else {
            connector = new ServerConnector(server, 1, 1, h1);
        }
        connector.setHost(bind);
        connector.setPort(port);
        connector.setIdleTimeout(limits.idleTimeout().toMillis());
        connector.setAcceptQueueSize(128);
        headerDeadline = new HeaderDeadline(limits.headerTimeout(), connector.getScheduler());
        connector.addEventListener(headerDeadline);
        server.addConnector(connector);
        cap = new ConnectionCap(limits.maxConnections());
        connector.addEventListener(cap);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                handler.accept(new Exchange(request, response, callback));
                return true;
            }
        });
        server.setStopTimeout(0);
    }

    void start() throws IOException {
        try {
            server.start();
            headerDeadline.start();
        } catch (IOException e) {
            stop();
            throw e;
        } catch (Exception e) {
            stop();
            throw new IOException(e.getMessage(), e);
        }
    }

    int port() {
        return connector.getLocalPort();
    }

    /** The connection limit and what it did. */
    ConnectionCap connectionCap() {
        return cap;
    }

    /** Connections closed because their headers were too slow. */
    long slowHeaderCloses() {
        return headerDeadline.closed();
    }

    void stop() {
        headerDeadline.stop();
        try {
            server.stop();
        } catch (Exception e) {
            // stopping anyway
        }
    }
}
