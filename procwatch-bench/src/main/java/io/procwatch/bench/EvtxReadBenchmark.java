package io.procwatch.bench;

import io.procwatch.read.Origin;
import io.procwatch.read.evtx.EvtxReader;
import io.procwatch.read.RawRecord;
import io.procwatch.read.RecordSink;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Single-threaded read speed of {@link EvtxReader} (records flattened to {@link RawRecord}s) over the sample EVTX
 * corpus, looped in memory until at least {@code minRecords}, against libyal's {@code evtxexport -f xml} timed on
 * the same files in the same run (once over the corpus; it is a separate process per file, as it is used).
 *
 * <pre>
 * java -cp target/classes:target/lib/* io.procwatch.read.evtx.EvtxReadBenchmark [datasetsDir] [minRecords]
 * </pre>
 */
public final class EvtxReadBenchmark {

    /** Figures of one run; {@code evtxexport*} are 0 when the tool is not installed. */
    public record Result(int files, long bytesPerPass, long records, double seconds, double recordsPerSecond,
                         double megabytesPerSecond, double cpuSeconds, long evtxexportRecords,
                         double evtxexportSeconds, double evtxexportRecordsPerSecond) {

        public double speedup() {
            return evtxexportRecordsPerSecond > 0 ? recordsPerSecond / evtxexportRecordsPerSecond : 0;
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT,
                    "EvtxReader: %,d records in %.2f s = %,.0f records/s, %.1f MB/s (%d files, %.1f MB per pass)%n"
                            + "            thread CPU %.2f s = %,.0f records per CPU second (less sensitive to a busy machine)%n"
                            + "evtxexport: %,d records in %.2f s = %,.0f records/s%n"
                            + "speed-up: %.1fx",
                    records, seconds, recordsPerSecond, megabytesPerSecond, files, bytesPerPass / 1e6,
                    cpuSeconds, records / cpuSeconds,
                    evtxexportRecords, evtxexportSeconds, evtxexportRecordsPerSecond, speedup());
        }
    }

    private static final long WARM_UP_RECORDS = 500_000;

    private EvtxReadBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path datasets = Path.of(args.length > 0 ? args[0]
                : System.getProperty("procwatch.shared", "../shared") + "/datasets");
        long minRecords = args.length > 1 ? Long.parseLong(args[1]) : 1_000_000L;
        System.out.println(run(datasets, minRecords));
    }

    /**
     * @param datasets   folder searched recursively for {@code *.evtx}
     * @param minRecords records to read at least (the corpus is looped), after an untimed warm-up
     */
    public static Result run(Path datasets, long minRecords) throws IOException, InterruptedException {
        List<Path> paths = evtxFiles(datasets);
        List<byte[]> files = new ArrayList<>();
        long bytesPerPass = 0;
        for (Path path : paths) {
            byte[] bytes = Files.readAllBytes(path);
            files.add(bytes);
            bytesPerPass += bytes.length;
        }
        EvtxReader reader = new EvtxReader();
        CountingSink sink = new CountingSink();
        while (sink.records < WARM_UP_RECORDS) { // let the JIT compile the hot path before timing
            pass(reader, files, sink);
        }
        sink.records = 0;
        long bytes = 0;
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long cpuStart = threads.getCurrentThreadCpuTime();
        long start = System.nanoTime();
        while (sink.records < minRecords) {
            pass(reader, files, sink);
            bytes += bytesPerPass;
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double cpuSeconds = (threads.getCurrentThreadCpuTime() - cpuStart) / 1e9;
        long[] oracle = timeEvtxexport(paths);
        double oracleSeconds = oracle[1] / 1e9;
        return new Result(files.size(), bytesPerPass, sink.records, seconds, sink.records / seconds,
                bytes / seconds / 1e6, cpuSeconds, oracle[0], oracleSeconds, oracle[0] > 0 ? oracle[0] / oracleSeconds : 0);
    }

    private static void pass(EvtxReader reader, List<byte[]> files, CountingSink sink) throws IOException {
        for (byte[] file : files) {
            reader.read(new ByteArrayInputStream(file), "bench", sink);
        }
    }

    /** Runs evtxexport over every file once; returns {records, nanoseconds}, or zeros when it is not installed. */
    private static long[] timeEvtxexport(List<Path> paths) throws InterruptedException {
        long records = 0;
        long start = System.nanoTime();
        try {
            for (Path path : paths) {
                Process p = new ProcessBuilder("evtxexport", "-f", "xml", path.toString())
                        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
                try (InputStream in = p.getInputStream()) {
                    records += countEvents(in);
                }
                p.waitFor();
            }
        } catch (IOException e) {
            return new long[] {0, 0};
        }
        return new long[] {records, System.nanoTime() - start};
    }

    private static long countEvents(InputStream in) throws IOException {
        byte[] needle = "<Event ".getBytes();
        byte[] buffer = new byte[1 << 16];
        long count = 0;
        int matched = 0;
        for (int n; (n = in.read(buffer)) > 0; ) {
            for (int i = 0; i < n; i++) {
                matched = buffer[i] == needle[matched] ? matched + 1 : buffer[i] == needle[0] ? 1 : 0;
                if (matched == needle.length) {
                    count++;
                    matched = 0;
                }
            }
        }
        return count;
    }

    private static List<Path> evtxFiles(Path datasets) throws IOException {
        try (Stream<Path> walk = Files.walk(datasets)) {
            List<Path> files = walk.filter(p -> p.toString().endsWith(".evtx")).sorted().toList();
            if (files.isEmpty()) {
                throw new IOException("no .evtx files under " + datasets);
            }
            return files;
        }
    }

    private static final class CountingSink implements RecordSink {
        long records;

        @Override
        public void accept(RawRecord record) {
            records++;
        }

        @Override
        public void reject(Origin origin, String reason) {
            throw new IllegalStateException("sample corpus should read cleanly: " + origin + " " + reason);
        }
    }
}
