/**
 * <b>The embedding API.</b> {@link io.procwatch.engine.ProcwatchEngine} takes events (text, field maps or
 * {@link io.procwatch.normalize.ProcessEvent}s) and hands back {@link io.procwatch.aggregate.Notable}s through a
 * {@link io.procwatch.engine.NotableListener} as their windows close; {@link io.procwatch.engine.EngineClock},
 * {@link io.procwatch.engine.EventBatch}, {@link io.procwatch.engine.EngineMetrics} and
 * {@link io.procwatch.engine.ReloadReport} belong to it. {@link io.procwatch.engine.SessionExtension} is the
 * interface a rule family's rule-set global (the Sigma module's) implements to take part in sessions.
 *
 * <pre>{@code
 * try (ProcwatchEngine engine = ProcwatchEngine.builder().bundledRules().onNotable(notables::add).build()) {
 *     engine.submitText(Files.readString(Path.of("events.xml")));
 *     engine.flush();
 * }
 * }</pre>
 *
 * <p>{@link io.procwatch.engine.DetectionSession} (one Drools session and its clock) and
 * {@link io.procwatch.engine.ScanPipeline} (the batch driver of {@code procwatch scan}) are public for the
 * application and the benchmarks; embedders use the engine.
 */
package io.procwatch.engine;
