package io.procwatch.engine;

import java.time.Duration;

/**
 * Settings of a batch scan.
 *
 * @param lateness  how far behind the newest event time an event may arrive and still land in its own window
 *                  (default 10 minutes)
 * @param batchSize events handed from the reader thread to the session thread at a time
 * @param queueBatches batches the hand-off queue holds before the reader waits (bounds memory)
 */
public record ScanOptions(Duration lateness, int batchSize, int queueBatches) {

    public static final Duration DEFAULT_LATENESS = Duration.ofMinutes(10);

    public static ScanOptions defaults() {
        return new ScanOptions(DEFAULT_LATENESS, 1024, 64);
    }

    public ScanOptions withLateness(Duration d) {
        return new ScanOptions(d, batchSize, queueBatches);
    }
}
