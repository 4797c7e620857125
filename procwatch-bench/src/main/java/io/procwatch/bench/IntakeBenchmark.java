package io.procwatch.bench;

import io.procwatch.intake.EventSink;
import io.procwatch.intake.EventSource;
import io.procwatch.intake.IntakeCounts;
import io.procwatch.normalize.ProcessEvent;
import io.procwatch.read.InputListener;
import io.procwatch.read.Origin;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The intake alone (sniff, read, normalize, count: what a reader thread of {@code scan} does), on this thread, over
 * the inputs named: each round reads them all and prints its own records, wall time and this thread's CPU per
 * record (inflating archives included). CPU per record is the figure that a busy machine does not move much; the
 * first round warms the JIT up.
 */
final class IntakeBenchmark {

    private IntakeBenchmark() {
    }

    static void run(List<Path> inputs, int rounds, PrintStream out) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        for (int round = 1; round <= rounds; round++) {
            long wall0 = System.nanoTime();
            long cpu0 = threads.getCurrentThreadCpuTime();
            IntakeCounts counts = new EventSource().readAll(inputs, new EventSink() {
                @Override
                public void processEvent(ProcessEvent event) {
                }

                @Override
                public void rejected(Origin origin, String reason) {
                }
            }, new InputListener() {
            });
            double cpu = (threads.getCurrentThreadCpuTime() - cpu0) / 1e9;
            double wall = (System.nanoTime() - wall0) / 1e9;
            out.printf(Locale.ROOT, "round %d: %,d records (%,d process, %,d other, %,d rejected) in %.2f s wall, "
                            + "%.2f s CPU = %.2f CPU us/record%s%n", round, counts.records(), counts.processEvents(),
                    counts.otherEvents(), counts.rejected(), wall, cpu, cpu * 1e6 / Math.max(1, counts.records()),
                    round == 1 ? "  (JIT warm-up)" : "");
        }
    }
}
