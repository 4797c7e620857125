package io.procwatch.durable;

/**
 * A notable output whose deliveries the durable state tracks ({@code serve --state-dir} with {@code --out} or
 * {@code --webhook}): a notable stays in the state until this output took it, and is delivered after a restart if
 * the process ended first.
 */
public interface DurableOutput {

    /** What one delivery attempt came to. */
    enum Delivery {
        /** Taken: the notable leaves the state. */
        DELIVERED,
        /** Not taken now (receiver down, 5xx, disk full): kept, tried again later, in order. */
        RETRY_LATER,
        /** Refused for good (the receiver answered that it will never take it, e.g. HTTP 400): dropped and counted. */
        REFUSED
    }

    /** A short name for the state, logs and metrics ({@code file}, {@code webhook}). */
    String name();

    /** One attempt to deliver a notable (its NDJSON object); called from one thread, in order. */
    Delivery deliver(String notableJson);

    /**
     * Whether this output held the notable already when the process started: the one it took just before the
     * previous process was killed, before the state recorded that (only the oldest notable kept can be). A file
     * knows (its last line); a webhook cannot, and answers false (that notable is then delivered again).
     */
    default boolean heldAtStart(String notableJson) {
        return false;
    }
}
