package io.procwatch.bench.micro;

import io.procwatch.normalize.EventNormalizer;
import io.procwatch.normalize.EventTimeParser;
import io.procwatch.normalize.ProcessEvent;
import io.procwatch.normalize.RejectedRecordException;
import io.procwatch.read.Origin;
import io.procwatch.read.RawRecord;
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

import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Event time parsing: the hand-written path for the stamps nearly every event carries, the general
 * {@code java.time} formatter other forms go through, and the whole normalization of one event for scale (the
 * parser's Javadoc says the formatter costs more per event than the rest of normalization).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class TimeParseBenchmark {

    private final EventNormalizer normalizer = new EventNormalizer();
    private Map<String, String> fields;

    @Setup
    public void setUp() {
        fields = MicroEvents.sysmonFields(3);
    }

    @Benchmark
    public long isoFastPath() {
        return EventTimeParser.parseMillis("2020-09-21T18:42:02.123Z");
    }

    @Benchmark
    public long spaceSeparatedFastPath() {
        return EventTimeParser.parseMillis("2020-09-21 18:42:02.118");
    }

    /** An offset the fast path does not take: the general formatter. */
    @Benchmark
    public long offsetGeneralFormatter() {
        return EventTimeParser.parseMillis("2020-09-21T20:42:02.123+02:00");
    }

    @Benchmark
    public ProcessEvent normalizeOneEvent() throws RejectedRecordException {
        return normalizer.normalize(new RawRecord(new Origin("micro.json", 1), fields));
    }
}
