package io.procwatch.serve;

import io.procwatch.durable.StateStore;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * {@code serve --state-dir}: where the service keeps its detection state and journal, when appends reach the
 * device, and how often the state is snapshotted (the journal after a snapshot is what a restart replays).
 */
public record DurabilityConfig(Path stateDir, StateStore.Fsync fsync, Duration snapshotInterval) {

    public DurabilityConfig {
        Objects.requireNonNull(stateDir);
        Objects.requireNonNull(fsync);
        if (snapshotInterval.isNegative() || snapshotInterval.isZero()) {
            throw new IllegalArgumentException("snapshot interval must be positive");
        }
    }
}
