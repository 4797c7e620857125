package io.procwatch.durable;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Delivers the notables that one {@link DurableOutput} has not taken yet, oldest first, from the {@link StateStore}
 * (never from memory): each leaves the store only once the output took it (or refused it for good). An output that
 * fails is retried with doubling waits (1 s up to 30 s), holding back the later notables so their order stays.
 */
final class OutboxDrainer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(OutboxDrainer.class);
    private static final long MAX_WAIT_MILLIS = 30_000;

    private final StateStore store;
    private final DurableOutput output;
    private final Thread thread;
    private final Object signal = new Object();
    private volatile boolean closing;
    private volatile long retryWaitMillis;
    final AtomicLong delivered = new AtomicLong();
    final AtomicLong retries = new AtomicLong();
    final AtomicLong refused = new AtomicLong();

    OutboxDrainer(StateStore store, DurableOutput output) {
        this.store = store;
        this.output = output;
        this.thread = new Thread(this::run, "procwatch-outbox-" + output.name());
        thread.setDaemon(true);
        thread.start();
    }

    /** A notable was added to the store for this output: deliver it soon. */
    void wake() {
        synchronized (signal) {
            signal.notifyAll();
        }
    }

    private void run() {
        long wait = 1000;
        boolean failing = false;
        boolean first = true;
        while (!closing) {
            Map.Entry<Long, byte[]> next;
            try {
                next = store.firstUndelivered(output.name());
            } catch (RuntimeException e) {
                LOG.error("{}: cannot read undelivered notables ({})", output.name(), e.getMessage());
                next = null;
            }
            if (next == null) {
                first = false;
                pause(500);
                continue;
            }
            String json = new String(next.getValue(), StandardCharsets.UTF_8);
            if (first) {
                first = false;
                if (output.heldAtStart(json)) {
                    // Taken before the previous process was killed, not yet recorded: record it, do not repeat it.
                    LOG.info("{}: the oldest kept notable was taken before the previous process stopped; not "
                            + "delivered again", output.name());
                    store.delivered(output.name(), next.getKey());
                    continue;
                }
            }
            DurableOutput.Delivery d;
            try {
                d = output.deliver(json);
            } catch (RuntimeException e) {
                LOG.error("{}: delivery failed: {}", output.name(), e.toString());
                d = DurableOutput.Delivery.RETRY_LATER;
            }
            if (d == DurableOutput.Delivery.RETRY_LATER) {
                retries.incrementAndGet();
                if (!failing) {
                    LOG.warn("{}: cannot deliver notables now; {} kept in the state, retrying", output.name(),
                            store.undeliveredCount(output.name()));
                    failing = true;
                }
                retryWaitMillis = wait;
                pause(wait);
                wait = Math.min(wait * 2, MAX_WAIT_MILLIS);
                continue;
            }
            if (failing) {
                LOG.info("{}: delivering again", output.name());
                failing = false;
            }
            wait = 1000;
            retryWaitMillis = 0;
            if (d == DurableOutput.Delivery.DELIVERED) {
                delivered.incrementAndGet();
            } else {
                refused.incrementAndGet();
            }
            try {
                store.delivered(output.name(), next.getKey());
            } catch (RuntimeException e) {
                // Still in the store: delivered again after a restart (at least once).
                LOG.error("{}: cannot record a delivery ({})", output.name(), e.getMessage());
                pause(1000);
            }
        }
    }

    private void pause(long millis) {
        synchronized (signal) {
            try {
                signal.wait(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                closing = true;
            }
        }
    }

    String name() {
        return output.name();
    }

    /**
     * Waits up to {@code drain} for the output to take what waits, then stops; the rest stays in the store for the
     * next start.
     */
    void close(Duration drain) {
        long until = System.nanoTime() + drain.toNanos();
        while (System.nanoTime() < until && retryWaitMillis == 0 && store.undeliveredCount(output.name()) > 0
                && thread.isAlive()) {
            wake();
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        closing = true;
        wake();
        try {
            thread.join(Math.max(1000, drain.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        int left = store.undeliveredCount(output.name());
        if (left > 0) {
            LOG.warn("{}: {} notables not delivered yet; they stay in {} and are delivered at the next start",
                    output.name(), left, store.file());
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(10));
    }
}
