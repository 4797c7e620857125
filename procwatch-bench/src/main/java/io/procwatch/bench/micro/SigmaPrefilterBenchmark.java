package io.procwatch.bench.micro;

import io.procwatch.bench.SigmaBenchmark;
import io.procwatch.detect.RuleSet;
import io.procwatch.normalize.ProcessEvent;
import io.procwatch.sigma.SigmaPrefilter;
import io.procwatch.sigma.SigmaRuntime;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The Sigma prefilter alone ("prefilter alone" in docs/sigma.md): for one OTRF process event, the Aho–Corasick
 * scans of its guarded fields and the keyword search, giving the candidate rules Drools is asked to evaluate. The
 * SigmaHQ corpus is converted and compiled once per fork; each invocation searches a fresh copy of the next OTRF
 * process event (the copy shares the values and has its own lower-case cache, so the lower-casing is measured as
 * every real event pays it). Needs {@code ../shared/datasets}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgs = "-Xmx2g")
public class SigmaPrefilterBenchmark {

    @Param("../shared/datasets/sigmahq-sigma")
    public String sigma;

    @Param("../shared/datasets/otrf")
    public String otrf;

    private SigmaPrefilter prefilter;
    private ProcessEvent[] events;
    private int next;

    @Setup
    public void setUp() throws Exception {
        if (!Files.isDirectory(Path.of(sigma)) || !Files.isDirectory(Path.of(otrf))) {
            throw new IllegalStateException("needs " + sigma + " and " + otrf + " (the shared datasets)");
        }
        RuleSet rules = RuleSet.compile(SigmaBenchmark.drl(SigmaBenchmark.convert(Path.of(sigma)), null),
                "sigma prefilter benchmark");
        prefilter = SigmaRuntime.of(rules).prefilter();
        events = SigmaBenchmark.read(List.of(Path.of(otrf))).toArray(new ProcessEvent[0]);
    }

    @Benchmark
    public int candidatesOfOneEvent() {
        ProcessEvent e = events[next];
        next = next + 1 == events.length ? 0 : next + 1;
        return prefilter.candidates(e.withTime(e.getTime())).size();
    }
}
