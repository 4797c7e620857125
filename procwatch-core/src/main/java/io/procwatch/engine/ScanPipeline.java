package io.procwatch.engine;

import io.procwatch.detect.DetectionRule;
import io.procwatch.detect.IncidentRule;
import io.procwatch.risk.RiskEventListener;
import io.procwatch.detect.RuleSet;
import io.procwatch.intake.EventSink;
import io.procwatch.intake.EventSource;
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
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A batch scan, stage by stage: read → normalize (a reader thread) → detect and aggregate (the calling
 * thread, which owns the Drools session) → write. The two halves meet at a bounded queue of event
 * batches, so parsing and rule evaluation overlap and memory stays bounded however large the input.
 */
public final class ScanPipeline {

    /** What the reader thread hands over: events, then (once an input is read to its end) that input's name. */
    private record Batch(List<ProcessEvent> events, String finishedInput) {
    }

    private static final Batch END = new Batch(List.of(), null);
    private static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory.getThreadMXBean();

    private final RuleSet rules;
    private final ScanOptions options;
    private final EventSource source;
    private EventTimeRange timeRange = EventTimeRange.ALL;
    private Consumer<io.procwatch.detect.Match> matchListener;

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
        BlockingQueue<Batch> queue = new ArrayBlockingQueue<>(options.queueBatches());
        InputListener failures = failureCounter(counters, progress, problems);
        List<InputWalker.Input> files = source.expand(inputs, failures);
        Throwable[] readerFailure = new Throwable[1];
        long[] readerCpu = new long[1];
        long sessionCpu;
        DetectionSession session = new DetectionSession(rules, true, options.lateness());
        try (SessionDriver driver = new SessionDriver(session, counters, sink, risk, SessionDriver.SinkFailure.END_RUN)) {
            session.declareInputs(files.stream().map(InputWalker.Input::source).toList());
            session.detections().setMatchListener(matchListener);
            // The reader also prepares each event (DetectionSession.prepare: the Sigma prefilter), so that work
            // runs on its core while this thread evaluates earlier batches.
            Thread reader = new Thread(() -> {
                try {
                    readAll(files, counters, queue, progress, failures, problems, session::prepare);
                } catch (Throwable t) {
                    readerFailure[0] = t;
                } finally {
                    readerCpu[0] = THREADS.getCurrentThreadCpuTime();
                    putUninterruptibly(queue, END);
                }
            }, "procwatch-reader");
            long sessionCpuStart = THREADS.getCurrentThreadCpuTime();
            reader.setDaemon(true);
            reader.start();
            try {
                for (Batch batch = queue.take(); batch != END; batch = queue.take()) {
                    for (ProcessEvent e : batch.events()) {
                        driver.insert(e);
                    }
                    if (batch.finishedInput() != null) {
                        session.inputFinished(batch.finishedInput());
                    }
                    driver.fire();
                    driver.processed(batch.events().size());
                }
                driver.flush();
            } catch (java.io.UncheckedIOException e) {
                throw e.getCause();
            }
            reader.join();
            if (readerFailure[0] != null) {
                throw new IllegalStateException("reader failed: " + readerFailure[0], readerFailure[0]);
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
        return new ScanStats(counters, titles, detectionIds, (System.nanoTime() - start) / 1e9, readerCpu[0], sessionCpu);
    }

    /** Reader thread: reads each input through the event source and hands process events over in batches. */
    private void readAll(List<InputWalker.Input> inputs, DetectionCounters counters, BlockingQueue<Batch> queue,
                         InputListener progress, InputListener failures, Consumer<String> problems,
                         Consumer<ProcessEvent> prepare) {
        int batchSize = options.batchSize();
        List<ProcessEvent>[] batch = new List[]{new ArrayList<>(batchSize)};
        EventSink sink = new EventSink() {
            @Override
            public void processEvent(ProcessEvent e) {
                boolean inRange = timeRange.contains(e.getTime());
                counters.processEvent(e.getTime(), inRange);
                if (!inRange) {
                    return;
                }
                prepare.accept(e);
                batch[0].add(e);
                if (batch[0].size() >= batchSize) {
                    putUninterruptibly(queue, new Batch(batch[0], null));
                    batch[0] = new ArrayList<>(batchSize);
                }
            }

            @Override
            public void rejected(Origin origin, String reason) {
                String clean = PrintableText.clean(reason);
                counters.reject(origin, clean);
                problems.accept(origin + ": " + clean);
            }

            @Override
            public void warning(Origin origin, String message) {
                problems.accept(origin + ": warning: " + PrintableText.clean(message));
            }
        };
        InputListener listener = new InputListener() {
            @Override
            public void inputStarted(String source, InputFormat format) {
                counters.inputStarted();
                progress.inputStarted(source, format);
            }

            @Override
            public void inputFailed(String source, String reason) {
                failures.inputFailed(source, reason);
            }

            @Override
            public void inputSkipped(String source, String reason) {
                failures.inputSkipped(source, reason);
            }

            @Override
            public void bytesRead(long n) {
                progress.bytesRead(n);
            }
        };
        for (InputWalker.Input input : inputs) {
            IntakeCounts counts = source.read(input, sink, listener);
            counters.received(0, counts.otherEvents());   // process events and rejections are counted one by one
            putUninterruptibly(queue, new Batch(batch[0], input.source()));
            batch[0] = new ArrayList<>(batchSize);
        }
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

    private static void putUninterruptibly(BlockingQueue<Batch> q, Batch batch) {
        boolean interrupted = false;
        while (true) {
            try {
                q.put(batch);
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
