package io.procwatch.engine;

import io.procwatch.detect.DetectionRule;
import io.procwatch.detect.IncidentRule;
import io.procwatch.risk.RiskEventListener;
import io.procwatch.detect.RuleSet;
import io.procwatch.intake.EventSink;
import io.procwatch.intake.EventSource;
import io.procwatch.intake.InputOrderedReaders;
import io.procwatch.intake.IntakeCounts;
import io.procwatch.normalize.ProcessEvent;
import io.procwatch.read.EventReader;
import io.procwatch.read.InputFormat;
import io.procwatch.read.InputListener;
import io.procwatch.read.InputWalker;
import io.procwatch.read.Origin;
import io.procwatch.read.PrintableText;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A batch scan, stage by stage: read → normalize (reader threads, one file each, up to one per core) → detect and
 * aggregate (the calling thread, which owns the Drools session) → write. The halves meet at bounded per-file queues
 * of event batches ({@link InputOrderedReaders}), taken in input order, so parsing and rule evaluation overlap,
 * memory stays bounded however large the input, and the output is the same for any reader count.
 */
public final class ScanPipeline {

    /**
     * What a reader hands over for one input: effects on the run's counters and reports (applied first), events,
     * then (once the input is read to its end) the input's name.
     */
    private record Batch(List<ProcessEvent> events, List<Consumer<DetectionCounters>> effects, String finishedInput) {
    }
    private static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory.getThreadMXBean();

    private final RuleSet rules;
    private final ScanOptions options;
    private final EventSource source;
    private EventTimeRange timeRange = EventTimeRange.ALL;
    private Consumer<io.procwatch.detect.Match> matchListener;
    private int readerThreads = Runtime.getRuntime().availableProcessors();

    /**
     * @param rules      compiled rules
     * @param options    lateness and batching
     * @param evtxReader reader for EVTX inputs
     */
    public ScanPipeline(RuleSet rules, ScanOptions options, Supplier<EventReader> evtxReader) {
        this.rules = rules;
        this.options = options;
        this.source = new EventSource(evtxReader);
    }

    /** Scans only the process events inside {@code range} (the others are counted); every event by default. */
    public ScanPipeline timeRange(EventTimeRange range) {
        this.timeRange = range;
        return this;
    }

    /**
     * Reads up to {@code threads} input files at once (one reader per file; the default is one per core). The
     * notables, counts and problem lines are the same for any count: the session takes the files' batches in input
     * order.
     */
    public ScanPipeline readerThreads(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("reader threads must be at least 1, not " + threads);
        }
        this.readerThreads = threads;
        return this;
    }

    /**
     * Tells {@code listener}, on the session thread, every match the filter rules did not suppress, as the rules
     * make them (the timeline); null: none.
     */
    public ScanPipeline onMatch(Consumer<io.procwatch.detect.Match> listener) {
        this.matchListener = listener;
        return this;
    }

    /**
     * Scans the inputs and writes every notable.
     *
     * @param inputs   files and directories, read in the order given
     * @param sink     receives notables as their windows close (a {@code NotableWriter} writes them); a
     *                 {@link java.io.UncheckedIOException} it throws ends the scan as the {@link IOException}
     * @param progress told about inputs and bytes (may be a no-op)
     * @param problems told each rejected record and failed input as it happens, as {@code file:line: reason}
     */
    public ScanStats run(List<Path> inputs, NotableListener sink, InputListener progress, Consumer<String> problems)
            throws IOException, InterruptedException {
        return run(inputs, sink, r -> { }, progress, problems);
    }

    /**
     * {@link #run(List, NotableListener, InputListener, Consumer)}, handing each published risk event to {@code risk}
     * (before the notables of the same step).
     */
    public ScanStats run(List<Path> inputs, NotableListener sink, RiskEventListener risk, InputListener progress,
                         Consumer<String> problems) throws IOException, InterruptedException {
        long start = System.nanoTime();
        DetectionCounters counters = new DetectionCounters();
        InputListener failures = failureCounter(counters, progress, problems);
        List<InputWalker.Input> files = source.expand(inputs, failures);
        Throwable readerFailure = null;
        long readerCpu;
        long sessionCpu;
        DetectionSession session = new DetectionSession(rules, true, options.lateness());
        try (SessionDriver driver = new SessionDriver(session, counters, sink, risk, SessionDriver.SinkFailure.END_RUN)) {
            session.declareInputs(files.stream().map(InputWalker.Input::source).toList());
            session.detections().setMatchListener(matchListener);
            // The readers also prepare each event (DetectionSession.prepare: the Sigma prefilter), so that work
            // runs on their cores while this thread evaluates earlier batches. The batches come back in input
            // order whatever the reader count, so this thread sees one sequence for the same inputs.
            InputListener sharedProgress = synchronizedBytes(progress);
            int threads = Math.max(1, Math.min(readerThreads, files.size()));
            long sessionCpuStart = THREADS.getCurrentThreadCpuTime();
            try (InputOrderedReaders<Batch> readers = new InputOrderedReaders<Batch>(files.size(), threads,
                    Math.max(1, options.queueBatches() / threads), 2 * threads, "procwatch-reader",
                    (i, out) -> readInput(files.get(i), out, sharedProgress, failures, problems, session::prepare))
                    .start()) {
                try {
                    for (Batch batch = readers.take(); batch != null; batch = readers.take()) {
                        for (Consumer<DetectionCounters> effect : batch.effects()) {
                            effect.accept(counters);
                        }
                        for (ProcessEvent e : batch.events()) {
                            driver.insert(e);
                        }
                        if (batch.finishedInput() != null) {
                            session.inputFinished(batch.finishedInput());
                        }
                        driver.fire();
                        driver.processed(batch.events().size());
                    }
                } catch (InputOrderedReaders.ReaderFailedException e) {
                    readerFailure = e.getCause();
                }
                driver.flush();
                readers.close();
                readerCpu = readers.readerCpuNanos();
            } catch (java.io.UncheckedIOException e) {
                throw e.getCause();
            }
            if (readerFailure != null) {
                throw new IllegalStateException("reader failed: " + readerFailure, readerFailure);
            }
            sessionCpu = THREADS.getCurrentThreadCpuTime() - sessionCpuStart;
            driver.observe();
        }
        Map<String, String> titles = new LinkedHashMap<>();
        List<String> detectionIds = new ArrayList<>();
        for (DetectionRule d : rules.catalog().detections()) {
            titles.put(d.id(), d.title());
            detectionIds.add(d.id());
        }
        for (IncidentRule r : rules.catalog().incidentRules()) {
            titles.put(r.id(), r.ruleName());
        }
        return new ScanStats(counters, titles, detectionIds, (System.nanoTime() - start) / 1e9, readerCpu, sessionCpu);
    }

    /**
     * A reader thread's work on one input: reads it through the event source and hands its process events over in
     * batches. Everything that touches the run's counters or reports (rejections, input problems, the input's
     * counts) travels with the batches as effects that the session thread applies in input order, so the counters,
     * samples and problem lines come out the same whatever the reader count and timing.
     */
    private void readInput(InputWalker.Input input, InputOrderedReaders.Output<Batch> out, InputListener progress,
                           InputListener failures, Consumer<String> problems, Consumer<ProcessEvent> prepare) {
        InputBatcher batcher = new InputBatcher(out, options.batchSize());
        long[] range = {0, Long.MAX_VALUE, Long.MIN_VALUE}; // outside the time range, first, last event time
        EventSink sink = new EventSink() {
            @Override
            public void processEvent(ProcessEvent e) {
                if (!timeRange.contains(e.getTime())) {
                    range[0]++;
                    return;
                }
                range[1] = Math.min(range[1], e.getTime());
                range[2] = Math.max(range[2], e.getTime());
                prepare.accept(e);
                batcher.event(e);
            }

            @Override
            public void rejected(Origin origin, String reason) {
                String clean = PrintableText.clean(reason);
                batcher.effect(s -> {
                    s.reject(origin, clean);
                    problems.accept(origin + ": " + clean);
                });
            }

            @Override
            public void warning(Origin origin, String message) {
                String clean = PrintableText.clean(message);
                batcher.effect(s -> problems.accept(origin + ": warning: " + clean));
            }
        };
        InputListener listener = new InputListener() {
            @Override
            public void inputStarted(String source, InputFormat format) {
                batcher.effect(s -> {
                    s.inputStarted();
                    progress.inputStarted(source, format);
                });
            }

            @Override
            public void inputFailed(String source, String reason) {
                batcher.effect(s -> failures.inputFailed(source, reason));
            }

            @Override
            public void inputSkipped(String source, String reason) {
                batcher.effect(s -> failures.inputSkipped(source, reason));
            }

            @Override
            public void bytesRead(long n) {
                progress.bytesRead(n);
            }
        };
        IntakeCounts counts = source.read(input, sink, listener);
        batcher.effect(s -> {
            s.received(counts.processEvents(), counts.otherEvents());
            s.outsideTimeRange.addAndGet(range[0]);
            s.firstEventTime.accumulateAndGet(range[1], Math::min);
            s.lastEventTime.accumulateAndGet(range[2], Math::max);
        });
        batcher.finish(input.source());
    }

    /**
     * Cuts one input's events into batches of the configured size (so the session fires at the same points for the
     * same input) and carries the effects gathered since the last batch with the next one.
     */
    private static final class InputBatcher {
        private final InputOrderedReaders.Output<Batch> out;
        private final int size;
        private List<ProcessEvent> events;
        private List<Consumer<DetectionCounters>> effects = new ArrayList<>();
        /** The consumer gave up (the scan is ending early): drop the rest; the interrupted read stops soon. */
        private boolean stopped;

        InputBatcher(InputOrderedReaders.Output<Batch> out, int size) {
            this.out = out;
            this.size = size;
            this.events = new ArrayList<>(size);
        }

        void event(ProcessEvent e) {
            events.add(e);
            if (events.size() >= size) {
                hand(null);
            }
        }

        void effect(Consumer<DetectionCounters> effect) {
            effects.add(effect);
            if (effects.size() >= size) { // a long run of rejected records must not pile up in memory
                hand(null);
            }
        }

        void finish(String input) {
            hand(input);
        }

        private void hand(String finishedInput) {
            if (!stopped) {
                try {
                    out.put(new Batch(events, effects, finishedInput));
                } catch (InterruptedException e) {
                    stopped = true;
                    Thread.currentThread().interrupt();
                }
            }
            events = new ArrayList<>(size);
            effects = new ArrayList<>();
        }
    }

    /** Progress gets bytes from every reader thread: one at a time. */
    private static InputListener synchronizedBytes(InputListener progress) {
        return new InputListener() {
            @Override
            public void inputStarted(String source, InputFormat format) {
                progress.inputStarted(source, format);
            }

            @Override
            public void inputFailed(String source, String reason) {
                progress.inputFailed(source, reason);
            }

            @Override
            public void inputSkipped(String source, String reason) {
                progress.inputSkipped(source, reason);
            }

            @Override
            public synchronized void bytesRead(long n) {
                progress.bytesRead(n);
            }
        };
    }

    /** Counts and reports an input that could not be read. */
    private static InputListener failureCounter(DetectionCounters counters, InputListener progress,
                                                Consumer<String> problems) {
        return new InputListener() {
            @Override
            public void inputFailed(String source, String reason) {
                counters.inputFailed(source, reason);
                problems.accept(source + ": " + reason);
                progress.inputFailed(source, reason);
            }

            /** Nothing is passed over without a line on stderr and a count. */
            @Override
            public void inputSkipped(String source, String reason) {
                counters.inputSkipped(source, reason);
                problems.accept(source + ": skipped: " + reason);
                progress.inputSkipped(source, reason);
            }
        };
    }
}
