/**
 * Matches → notables: {@link io.procwatch.aggregate.ScheduleWindow} (a detection's Splunk-style schedule),
 * {@link io.procwatch.aggregate.NotableGroup} (one group in one window, the CEP state the aggregation rules keep),
 * {@link io.procwatch.aggregate.Watermark}, and {@link io.procwatch.aggregate.Notable}, the closed result that is
 * part of the embedding API. The rest is internal to the engine.
 */
package io.procwatch.aggregate;
