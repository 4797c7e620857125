package io.procwatch.serve;

import io.procwatch.durable.DurableOutput;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * POSTs each notable as one JSON object to a webhook, from its own thread so a slow receiver never holds up
 * detection. A failed delivery (connection error, 5xx, 408, 429) is retried with doubling waits; other 4xx are
 * not retried. The queue is bounded (10,000 notables): when the receiver is down for long, further notables are
 * dropped from the webhook (counted and logged) and remain in the NDJSON file.
 */
final class WebhookSender {

    private static final Logger LOG = LoggerFactory.getLogger(WebhookSender.class);
    private static final String STOP = new String("stop");

    private final URI url;
    private final int retries;
    private final long backoffMillis;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final BlockingQueue<String> queue = new ArrayBlockingQueue<>(10_000);
    private final Thread thread;
    final AtomicLong delivered = new AtomicLong();
    final AtomicLong failed = new AtomicLong();
    final AtomicLong dropped = new AtomicLong();
    final AtomicLong retried = new AtomicLong();
    private volatile long deadline = Long.MAX_VALUE;

    WebhookSender(URI url, int retries, Duration backoff) {
        this.url = url;
        this.retries = retries;
        this.backoffMillis = Math.max(1, backoff.toMillis());
        this.thread = new Thread(this::run, "procwatch-webhook");
        thread.setDaemon(true);
        thread.start();
    }

    void send(String json) {
        if (!queue.offer(json)) {
            dropped.incrementAndGet();
            LOG.warn("webhook queue full; notable not sent to {} (it is in the output file)", url);
        }
    }

    int pending() {
        return queue.size();
    }

    /** The notable being delivered now, or null. */
    private volatile String current;

    private void run() {
        try {
            for (String body = queue.take(); body != STOP; body = queue.take()) {
                current = body;
                deliver(body);
                current = null;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Why the last attempt of {@link #post} failed. */
    private volatile String lastProblem;

    /**
     * One attempt to POST a notable: delivered (2xx), to retry (connection error, 5xx, 408, 429) or refused for good
     * (other 4xx, logged and counted as failed). The durable outbox calls it directly; the queue's thread retries.
     */
    DurableOutput.Delivery post(String body) throws InterruptedException {
        try {
            HttpRequest.Builder rb = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(10))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body));
            HttpResponse<Void> r = client.send(rb.build(), HttpResponse.BodyHandlers.discarding());
            int code = r.statusCode();
            if (code / 100 == 2) {
                delivered.incrementAndGet();
                return DurableOutput.Delivery.DELIVERED;
            }
            lastProblem = "HTTP " + code;
            if (code / 100 == 4 && code != 408 && code != 429) {
                failed.incrementAndGet();
                LOG.error("webhook {} refused a notable ({}); not retried", url, lastProblem);
                return DurableOutput.Delivery.REFUSED;
            }
        } catch (java.io.IOException e) {
            lastProblem = e.toString();
        }
        return DurableOutput.Delivery.RETRY_LATER;
    }

    private void deliver(String body) throws InterruptedException {
        long wait = backoffMillis;
        for (int attempt = 0; ; attempt++) {
            DurableOutput.Delivery d = post(body);
            if (d != DurableOutput.Delivery.RETRY_LATER) {
                return;
            }
            String problem = lastProblem;
            if (attempt >= retries || System.currentTimeMillis() + wait > deadline) {
                failed.incrementAndGet();
                LOG.error("webhook {} failed after {} attempts ({}); notable not delivered (it is in the output file)",
                        url, attempt + 1, problem);
                return;
            }
            retried.incrementAndGet();
            LOG.warn("webhook {}: {}; retry in {} ms", url, problem, wait);
            Thread.sleep(wait);
            wait = Math.min(wait * 2, 30_000);
        }
    }

    /** Stops taking notables and waits up to {@code drain} for those queued to be delivered. */
    void close(Duration drain) {
        deadline = System.currentTimeMillis() + drain.toMillis();
        try {
            queue.put(STOP);
            thread.join(drain.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            thread.interrupt();
            try {
                thread.join(2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            long left = queue.stream().filter(b -> b != STOP).count() + (current != null ? 1 : 0);
            queue.clear();
            failed.addAndGet(left);
            LOG.warn("webhook: {} notables not delivered at shutdown (counted as failed; they are in the output file)", left);
        }
    }
}
