package io.procwatch.bench.micro;

import io.procwatch.normalize.ProcessEvent;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What a rule's field test costs: {@code ProcessEvent.get} by Windows name (slot array) and by CIM name (derived),
 * {@code lc} on an event that has not lower-cased the field yet (a fresh copy, as every event is once) and on one
 * that has, against a {@code HashMap} lookup of the same field.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class FieldLookupBenchmark {

    private ProcessEvent event;
    private Map<String, String> map;

    @Setup
    public void setUp() {
        event = MicroEvents.sysmon(1);
        map = new java.util.HashMap<>(MicroEvents.sysmonFields(1));
        event.lc("CommandLine");
    }

    @Benchmark
    public String getByWindowsName() {
        return event.get("CommandLine");
    }

    @Benchmark
    public String getByCimName() {
        return event.get("parent_process_name");
    }

    @Benchmark
    public String hashMapGet() {
        return map.get("CommandLine");
    }

    @Benchmark
    public String lowerCasedCached() {
        return event.lc("CommandLine");
    }

    /** A fresh copy (shared values, its own lower-case cache) and one lower-casing of its command line. */
    @Benchmark
    public void lowerCasedFirstTime(Blackhole bh) {
        bh.consume(event.withTime(1L).lc("CommandLine"));
    }
}
