package io.procwatch.bench;

import io.procwatch.read.Origin;
import io.procwatch.read.evtx.EvtxReader;
import io.procwatch.read.RawRecord;
import io.procwatch.read.RecordSink;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
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
 * the same files in the same run: one shell started once runs {@code evtxexport} on each file in turn (it reads one
 * file per run), and its CPU is the shell's children's user + system time from {@code /proc}. The comparison that
 * does not depend on process start-up or on a busy machine is records per CPU second, printed beside the wall rates.
 *
 * <pre>
 * java -cp target/classes:target/lib/* io.procwatch.read.evtx.EvtxReadBenchmark [datasetsDir] [minRecords]
 * </pre>
 */
public final class EvtxReadBenchmark {

    /** Figures of one run; {@code evtxexport*} are 0 when the tool is not installed. */
    public record Result(int files, long bytesPerPass, long records, double seconds, double recordsPerSecond,
                         double megabytesPerSecond, double cpuSeconds, long evtxexportRecords,
                         double evtxexportSeconds, double evtxexportRecordsPerSecond, double evtxexportCpuSeconds) {

        public double speedup() {
            return evtxexportRecordsPerSecond > 0 ? recordsPerSecond / evtxexportRecordsPerSecond : 0;
        }

        /** Records per CPU second against evtxexport's: the steady-state comparison. */
        public double cpuSpeedup() {
            return evtxexportCpuSeconds > 0 ? (records / cpuSeconds) / (evtxexportRecords / evtxexportCpuSeconds) : 0;
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT,
                    "EvtxReader: %,d records in %.2f s = %,.0f records/s, %.1f MB/s (%d files, %.1f MB per pass)%n"
                            + "            thread CPU %.2f s = %,.0f records per CPU second (less sensitive to a busy machine)%n"
                            + "evtxexport: %,d records in %.2f s = %,.0f records/s (one shell started once, evtxexport per file)%n"
                            + "            CPU %.2f s (user + system of the shell's children) = %,.0f records per CPU second%n"
                            + "speed-up: %.1fx records per CPU second (wall: %.1fx, includes evtxexport's process start per file)",
                    records, seconds, recordsPerSecond, megabytesPerSecond, files, bytesPerPass / 1e6,
                    cpuSeconds, records / cpuSeconds,
                    evtxexportRecords, evtxexportSeconds, evtxexportRecordsPerSecond,
                    evtxexportCpuSeconds, evtxexportCpuSeconds > 0 ? evtxexportRecords / evtxexportCpuSeconds : 0,
                    cpuSpeedup(), speedup());
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
                bytes / seconds / 1e6, cpuSeconds, oracle[0], oracleSeconds, oracle[0] > 0 ? oracle[0] / oracleSeconds : 0,
                oracle[2] / 1e9);
    }

    private static void pass(EvtxReader reader, List<byte[]> files, CountingSink sink) throws IOException {
        for (byte[] file : files) {
            reader.read(new ByteArrayInputStream(file), "bench", sink);
        }
    }

    /**
     * Runs evtxexport over every file once, from one shell started once; returns {records, wall nanoseconds, CPU
     * nanoseconds of the shell's children}, or zeros when it is not installed.
     */
    private static long[] timeEvtxexport(List<Path> paths) throws InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("sh", "-c",
                "for f; do evtxexport -f xml \"$f\"; done; echo; echo '<procwatch-stat>'; cat /proc/$$/stat", "sh"));
        paths.forEach(p -> cmd.add(p.toString()));
        long records;
        String stat;
        long start = System.nanoTime();
        try {
            Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            ByteArrayOutputStream tail = new ByteArrayOutputStream();
            try (InputStream in = p.getInputStream()) {
                records = countEvents(in, tail);
            }
            p.waitFor();
            stat = tail.toString(StandardCharsets.US_ASCII);
        } catch (IOException e) {
            return new long[] {0, 0, 0};
        }
        long wall = System.nanoTime() - start;
        if (records == 0) {
            return new long[] {0, 0, 0};
        }
        // /proc/PID/stat after the command name: fields 16 and 17 are cutime and cstime, in clock ticks (100 Hz).
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
        long ticks = Long.parseLong(f[13]) + Long.parseLong(f[14]);
        return new long[] {records, wall, ticks * 10_000_000L};
    }

    /** Counts {@code <Event } openings; what follows the {@code <procwatch-stat>} marker goes to {@code tail}. */
    private static long countEvents(InputStream in, ByteArrayOutputStream tail) throws IOException {
        byte[] all = new byte[1 << 16];
        ByteArrayOutputStream last = new ByteArrayOutputStream();
        byte[] previous = new byte[0];
        long count = 0;
        byte[] needle = "<Event ".getBytes(StandardCharsets.US_ASCII);
        int matched = 0;
        for (int n; (n = in.read(all)) > 0; ) {
            for (int i = 0; i < n; i++) {
                matched = all[i] == needle[matched] ? matched + 1 : all[i] == needle[0] ? 1 : 0;
                if (matched == needle.length) {
                    count++;
                    matched = 0;
                }
            }
            // The marker and the stat line may arrive split over two reads: keep the last two.
            previous = last.toByteArray();
            last.reset();
            last.write(all, 0, n);
        }
        last = concat(previous, last.toByteArray());
        String end = last.toString(StandardCharsets.US_ASCII);
        int at = end.lastIndexOf("<procwatch-stat>");
        if (at >= 0) {
            tail.writeBytes(end.substring(at + "<procwatch-stat>".length()).getBytes(StandardCharsets.US_ASCII));
        }
        return count;
    }

    private static ByteArrayOutputStream concat(byte[] a, byte[] b) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(a.length + b.length);
        out.writeBytes(a);
        out.writeBytes(b);
        return out;
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
