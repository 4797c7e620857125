package io.procwatch;

import org.junit.jupiter.api.ClassDescriptor;
import org.junit.jupiter.api.ClassOrderer;
import org.junit.jupiter.api.ClassOrdererContext;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The order in which a module's test classes are handed to the parallel run (pom.xml: classes run concurrently,
 * {@code junit.jupiter.testclass.order.default}): the classes that take longest in wall time (they wait on a
 * broker, on processes they start and restart, on timeouts) start first, so that the quick, CPU-bound classes fill
 * the time they wait, instead of the slow ones starting late and finishing alone.
 *
 * <p>JUnit's fork-join executor forks the classes in this order and then works through the list from both ends:
 * the thread that forked them takes the last, the other threads steal from the first. So the slow classes go to
 * both ends, slowest first: the first, the last, the second, the second last…; the other classes keep JUnit's
 * default order in the middle. ({@code @Isolated} classes run after all the others, in this order.)
 */
public final class SlowClassesFirst implements ClassOrderer {

    /**
     * Wall seconds of each slow class running with the others (2 cores), rounded; a class not listed counts as
     * quick. Only the order matters: update it when a class becomes slow or stops being slow.
     */
    static final Map<String, Integer> SLOW = Map.ofEntries(
            // procwatch-app
            Map.entry("io.procwatch.durable.DurableServeTest", 25),
            Map.entry("io.procwatch.kafka.KafkaStreamFailoverTest", 22),
            Map.entry("io.procwatch.kafka.KafkaRekeyTest", 16),
            Map.entry("io.procwatch.serve.ServeWatchTest", 9),
            Map.entry("io.procwatch.toolkit.ToolkitTest", 8),
            // procwatch-core
            Map.entry("io.procwatch.engine.ParallelReadersTest", 12),
            Map.entry("io.procwatch.read.evtx.EvtxexportOracleTest", 8),
            Map.entry("io.procwatch.corpus.EvtxScanTest", 6),
            Map.entry("io.procwatch.detect.CompiledRuleCacheTest", 5),
            Map.entry("io.procwatch.state.EngineCheckpointTest", 4),
            // procwatch-sigma
            Map.entry("io.procwatch.sigma.SigmaRegressionTest", 8),
            Map.entry("io.procwatch.sigma.SigmaRuleCacheTest", 5),
            Map.entry("io.procwatch.sigma.SigmaCorrelationSpecTest", 4),
            Map.entry("io.procwatch.sigma.SigmaSpecTest", 4));

    @Override
    public void orderClasses(ClassOrdererContext context) {
        List<? extends ClassDescriptor> classes = context.getClassDescriptors();
        List<ClassDescriptor> slow = new ArrayList<>();
        List<ClassDescriptor> quick = new ArrayList<>();
        for (ClassDescriptor c : classes) {
            (SLOW.containsKey(c.getTestClass().getName()) ? slow : quick).add(c);
        }
        slow.sort(Comparator.comparingInt((ClassDescriptor c) -> SLOW.get(c.getTestClass().getName())).reversed());
        ClassDescriptor[] ordered = new ClassDescriptor[classes.size()];
        int head = 0;
        int tail = ordered.length - 1;
        for (int i = 0; i < slow.size(); i++) {
            ordered[i % 2 == 0 ? head++ : tail--] = slow.get(i);
        }
        for (ClassDescriptor c : quick) {
            ordered[head++] = c;
        }
        List<ClassDescriptor> result = List.of(ordered);
        classes.sort(Comparator.comparingInt(result::indexOf));
    }
}
