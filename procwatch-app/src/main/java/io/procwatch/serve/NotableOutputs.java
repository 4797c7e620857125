package io.procwatch.serve;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.procwatch.aggregate.Notable;
import io.procwatch.durable.DurableOutput;
import io.procwatch.engine.NotableListener;
import io.procwatch.write.NdjsonNotableWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Writer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Where the service's notables go, as each window closes: an NDJSON file (opened for append, flushed after every
 * notable, never truncated), standard output, and a webhook (asynchronous, with retries). Runs on the engine's
 * session thread; a failing output is logged and counted, never stops the engine. {@code stream} delivers its
 * committed notables through the same outputs ({@link #open}). With a state directory the file and the webhook are
 * {@linkplain #trackedByState() tracked by the durable state} instead: they take their notables from it.
 */
public final class NotableOutputs implements NotableListener, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(NotableOutputs.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final RetryingNdjsonFile file;
    private final Writer stdout;
    private final NdjsonNotableWriter stdoutWriter;
    private final WebhookSender webhook;
    private final NotableListener tap;
    final AtomicLong written = new AtomicLong();
    final AtomicLong errors = new AtomicLong();
    /** Notables kept for the file while it cannot be written (about 100,000 of a typical size). */
    private static final long MAX_PENDING_FILE_BYTES = 64L * 1024 * 1024;

    /** The file and webhook take their notables from the durable state, not from {@link #onNotable}. */
    private volatile boolean tracked;

    /**
     * The outputs of {@code stream}: an NDJSON file and/or a webhook (each may be null), retried as in {@code serve}.
     */
    public static NotableOutputs open(Path out, URI webhook, int webhookRetries) throws IOException {
        return new NotableOutputs(ServeConfig.defaults().withOutputs(out, false, webhook)
                .withWebhookRetries(webhookRetries, Duration.ofSeconds(1)), System.out);
    }

    NotableOutputs(ServeConfig cfg, PrintStream out) throws IOException {
        file = cfg.out() != null ? new RetryingNdjsonFile(cfg.out(), MAX_PENDING_FILE_BYTES) : null;
        if (cfg.stdout()) {
            stdout = new OutputStreamWriter(out, StandardCharsets.UTF_8);
            stdoutWriter = new NdjsonNotableWriter(stdout);
        } else {
            stdout = null;
            stdoutWriter = null;
        }
        webhook = cfg.webhook() != null ? new WebhookSender(cfg.webhook(), cfg.webhookRetries(), cfg.webhookBackoff()) : null;
        tap = cfg.tap();
    }

    /**
     * Hands the file and the webhook to the durable state: from now on {@link #onNotable} leaves them out, and the
     * state delivers to them (through the returned outputs) what it keeps until they take it.
     */
    List<DurableOutput> trackedByState() {
        tracked = true;
        List<DurableOutput> l = new ArrayList<>();
        if (file != null) {
            String lastLine = file.lastLineAtOpen();
            l.add(tracked("file", json -> file.tryAppend(json) ? DurableOutput.Delivery.DELIVERED
                    : DurableOutput.Delivery.RETRY_LATER, json -> json.equals(lastLine)));
        }
        if (webhook != null) {
            l.add(tracked("webhook", json -> {
                try {
                    return webhook.post(json);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return DurableOutput.Delivery.RETRY_LATER;
                }
            }, json -> false));
        }
        return l;
    }

    private static DurableOutput tracked(String name, java.util.function.Function<String, DurableOutput.Delivery> deliver,
                                         java.util.function.Predicate<String> heldAtStart) {
        return new DurableOutput() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public boolean heldAtStart(String notableJson) {
                return heldAtStart.test(notableJson);
            }

            @Override
            public Delivery deliver(String notableJson) {
                return deliver.apply(notableJson);
            }
        };
    }

    @Override
    public void onNotable(Notable n) {
        written.incrementAndGet();
        if (file != null && !tracked) {
            try {
                file.append(JSON.writeValueAsString(n.fields()));
            } catch (IOException e) {
                errors.incrementAndGet();
                LOG.error("cannot serialize notable {}: {}", n.ruleId(), e.toString());
            }
        }
        if (stdoutWriter != null) {
            try {
                stdoutWriter.write(n);
                stdout.flush();
            } catch (IOException e) {
                errors.incrementAndGet();
            }
        }
        if (webhook != null && !tracked) {
            try {
                webhook.send(JSON.writeValueAsString(n.fields()));
            } catch (IOException e) {
                errors.incrementAndGet();
            }
        }
        if (tap != null) {
            tap.onNotable(n);
        }
    }

    WebhookSender webhook() {
        return webhook;
    }

    /** Adds the outputs' state to a {@code /health} answer. */
    void health(java.util.Map<String, Object> h) {
        if (file != null) {
            file.health(h);
        }
    }

    /** A metric: name, help text, value. */
    interface MetricSink {
        void metric(String name, String help, double value);
    }

    /** The outputs' own metrics. */
    void metrics(MetricSink m) {
        if (file != null) {
            m.metric("procwatch_output_file_failures_total", "Failed attempts to write a notable to --out (each retried).", file.failures.get());
            m.metric("procwatch_output_file_pending", "Notables waiting for --out to become writable.", file.pendingLines());
            m.metric("procwatch_output_file_dropped_total", "Notables lost because the --out buffer was full or shutdown came first.", file.dropped.get());
        }
    }

    /** Closes the file and waits up to {@code drain} for the webhook queue to empty. */
    public void close(Duration drain) {
        if (webhook != null) {
            webhook.close(drain);
        }
        if (file != null) {
            file.close();
        }
        try {
            if (stdout != null) {
                stdout.flush();
            }
        } catch (IOException e) {
            LOG.error("closing outputs: {}", e.toString());
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(10));
    }
}
