package io.procwatch.serve;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.procwatch.aggregate.Notable;
import io.procwatch.engine.NotableListener;
import io.procwatch.write.NdjsonNotableWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Where the service's notables go, as each window closes: an NDJSON file (opened for append, flushed after every
 * notable, never truncated), standard output, and a webhook (asynchronous, with retries). Runs on the engine's
 * session thread; a failing output is logged and counted, never stops the engine.
 */
final class NotableOutputs implements NotableListener, AutoCloseable {

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

    @Override
    public void onNotable(Notable n) {
        written.incrementAndGet();
        if (file != null) {
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
        if (webhook != null) {
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
    void close(Duration drain) {
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
