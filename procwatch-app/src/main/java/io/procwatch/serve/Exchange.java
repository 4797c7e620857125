package io.procwatch.serve;

import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;

/** One HTTP request and its answer, as the handlers of {@link ProcwatchServer} see them. */
final class Exchange {

    /** The body grew beyond what this request may send. */
    static final class TooLarge extends java.io.IOException {
        TooLarge() {
            super("body too large");
        }
    }

    /** The body arrives slower than the minimum rate. */
    static final class TooSlow extends java.io.IOException {
        TooSlow(long bytes, long millis, long minRate) {
            super(bytes + " bytes in " + millis + " ms, below the minimum of " + minRate + " bytes/s");
        }
    }

    /** The shared budget of body bytes refused more. */
    static final class OverBudget extends java.io.IOException {
        OverBudget() {
            super("too many body bytes pending on this server");
        }
    }

    /**
     * True for a body read that failed because the client sent too slowly: below the minimum data rate (Jetty's 408)
     * or nothing at all until the idle timeout.
     */
    static boolean tooSlow(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof TooSlow || t instanceof java.util.concurrent.TimeoutException
                    || t instanceof org.eclipse.jetty.http.HttpException h && h.getCode() == 408) {
                return true;
            }
        }
        return false;
    }

    private final Request request;
    private final Response response;
    private final Callback callback;
    private final AtomicBoolean answered = new AtomicBoolean();
    private volatile boolean bodyRead;

    Exchange(Request request, Response response, Callback callback) {
        this.request = request;
        this.response = response;
        this.callback = callback;
    }

    String method() {
        return request.getMethod();
    }

    String path() {
        return request.getHttpURI().getPath();
    }

    /** The first value of a request header, or null. */
    String header(String name) {
        HttpField f = request.getHeaders().getField(name);
        return f == null ? null : f.getValue();
    }

    String remoteHost() {
        return Request.getRemoteAddr(request);
    }

    void setHeader(String name, String value) {
        response.getHeaders().put(name, value);
    }

    /** Sends the answer (once; later calls are ignored) and completes the request. */
    void respond(int code, String type, String body) {
        if (!answered.compareAndSet(false, true)) {
            return;
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        response.setStatus(code);
        if (!bodyRead && hasBody()) {
            // Answered without reading the body (401, 413, 503…): the connection cannot carry another request.
            // Saying so keeps a client from reusing it and meeting a closed socket.
            response.getHeaders().put("Connection", "close");
        }
        response.getHeaders().put("Content-Type", type);
        response.getHeaders().put("Content-Length", String.valueOf(bytes.length));
        response.write(true, ByteBuffer.wrap(bytes), callback);
    }

    private boolean hasBody() {
        String len = header("Content-Length");
        return len != null ? !len.strip().equals("0") : header("Transfer-Encoding") != null;
    }

    /**
     * Reads the body without holding a thread while bytes are awaited; {@code done} gets the bytes or the failure
     * ({@link TooLarge} beyond {@code max}, {@link OverBudget} when {@code budget} refuses a chunk, {@link TooSlow}
     * when, after the first second, fewer than {@code minRate} bytes per second have arrived: Jetty's own
     * {@code minRequestDataRate} is enforced only by its servlet layer, not for core handlers; a body that stops
     * arriving altogether ends at the idle timeout). The budget is charged as bytes arrive; the caller releases
     * {@code charged[0]} bytes when done with the body.
     */
    void readBody(long max, long minRate, BodyBudget budget, long[] charged, BiConsumer<byte[], Throwable> done) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        long started = System.nanoTime();
        Runnable step = new Runnable() {
            @Override
            public void run() {
                try {
                    while (true) {
                        Content.Chunk c = request.read();
                        if (c == null) {
                            request.demand(this);
                            return;
                        }
                        if (Content.Chunk.isFailure(c)) {
                            done.accept(null, c.getFailure());
                            return;
                        }
                        ByteBuffer b = c.getByteBuffer();
                        int n = b.remaining();
                        if (buf.size() + (long) n > max) {
                            c.release();
                            done.accept(null, new TooLarge());
                            return;
                        }
                        if (n > 0 && !budget.tryTake(n)) {
                            c.release();
                            done.accept(null, new OverBudget());
                            return;
                        }
                        charged[0] += n;
                        byte[] tmp = new byte[n];
                        b.get(tmp);
                        buf.write(tmp, 0, n);
                        boolean last = c.isLast();
                        c.release();
                        if (last) {
                            bodyRead = true;
                            done.accept(buf.toByteArray(), null);
                            return;
                        }
                        long millis = (System.nanoTime() - started) / 1_000_000;
                        if (minRate > 0 && millis > 1000 && buf.size() < minRate * millis / 1000) {
                            done.accept(null, new TooSlow(buf.size(), millis, minRate));
                            return;
                        }
                    }
                } catch (Throwable t) {
                    done.accept(null, t);
                }
            }
        };
        step.run();
    }
}
