package io.procwatch.engine;

import io.procwatch.aggregate.Notable;

/**
 * Receives each notable as its window closes. Called on the engine's session thread, one notable at a time, in
 * {@link Notable#ORDER} within what closed together; never concurrently. Keep it quick (hand slow work to your own
 * queue): while it runs, no events are processed. An exception it throws is logged and counted
 * ({@link EngineMetrics#listenerErrors()}), and the engine goes on.
 */
@FunctionalInterface
public interface NotableListener {

    void onNotable(Notable notable);
}
