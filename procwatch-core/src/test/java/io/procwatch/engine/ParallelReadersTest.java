package io.procwatch.engine;

import io.procwatch.SharedData;
import io.procwatch.TestRules;
import io.procwatch.read.InputListener;
import io.procwatch.read.evtx.EvtxReader;
import io.procwatch.write.NdjsonNotableWriter;
import io.procwatch.write.ScanSummary;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Several reader threads give the scan exactly what one gives: the same notable bytes, risk events, counts,
 * samples and problem lines, run after run, because the session takes every file's batches in input order whatever
 * the threads' timing.
 */
class ParallelReadersTest {

    /** One scan's observable result. */
    private record Outcome(String notables, List<String> risk, Map<String, Object> counts, List<String> problems) {
    }

    /** Small batches and queues, so readers run ahead, fill their per-file channels and wait. */
    private static final ScanOptions TIGHT = new ScanOptions(Duration.ofMinutes(10), 16, 4);

    private static Outcome scan(List<Path> inputs, int readers, ScanOptions options) throws Exception {
        return scan(TestRules.rulesDrl(), inputs, readers, options);
    }

    private static Outcome scan(io.procwatch.detect.RuleSet rules, List<Path> inputs, int readers, ScanOptions options)
            throws Exception {
        StringWriter out = new StringWriter();
        List<String> risk = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        ScanStats s;
        try (NdjsonNotableWriter w = new NdjsonNotableWriter(out)) {
            s = new ScanPipeline(rules, options, EvtxReader::new).readerThreads(readers)
                    .run(inputs, w, r -> risk.add(r.toString()), new InputListener() {
                    }, problems::add);
        }
        Map<String, Object> counts = new LinkedHashMap<>(ScanSummary.json(s));
        counts.remove("seconds");
        counts.put("skipped", s.skippedInputs().toString());
        counts.put("outside", s.outsideTimeRange());
        counts.put("first", s.firstEventTime());
        counts.put("last", s.lastEventTime());
        return new Outcome(out.toString(), risk, counts, problems);
    }

    static String sysmon(String time, String host, String cmd) {
        return "{\"EventID\":1,\"Channel\":\"Microsoft-Windows-Sysmon/Operational\",\"Computer\":\"" + host
                + "\",\"User\":\"CORP\\\\jdoe\",\"@timestamp\":\"" + time + "\",\"CommandLine\":\"" + cmd + "\"}\n";
    }

    static String network(String time, String host) {
        return "{\"EventID\":3,\"Channel\":\"Microsoft-Windows-Sysmon/Operational\",\"Computer\":\"" + host
                + "\",\"@timestamp\":\"" + time + "\",\"DestinationIp\":\"203.0.113.9\"}\n";
    }

    /**
     * Files of different sizes whose windows overlap across files: QEMU tunnels (notables and risk events) among
     * benign and other events, out-of-order (late) events, malformed lines, a gzip member and a file that is no
     * event data.
     */
    private static List<Path> generated(Path dir) throws IOException {
        for (int f = 0; f < 9; f++) {
            StringBuilder sb = new StringBuilder();
            int n = f % 3 == 0 ? 1500 : 40 + 37 * f;
            for (int i = 0; i < n; i++) {
                String time = String.format("2024-03-04T%02d:%02d:%02dZ", 8 + (i * 7 + f) / 3600 % 10,
                        (i * 7 + f) / 60 % 60, (i * 7 + f) % 60);
                String host = "WKS-" + (char) ('A' + (i + f) % 5);
                if (i % 97 == 5) {
                    sb.append(sysmon(time, host, ScanInputOrderTest.QEMU));
                } else if (i % 3 == 0) {
                    sb.append(network(time, host));
                } else if (i % 211 == 17) {
                    sb.append("{\"EventID\":1, broken ").append(f).append('\n');
                } else if (i % 301 == 40) {
                    sb.append(sysmon("2024-03-04T07:00:00Z", host, ScanInputOrderTest.QEMU)); // late in its file
                } else {
                    sb.append(sysmon(time, host, "C:\\\\Windows\\\\System32\\\\svchost.exe -k " + (i % 13)));
                }
            }
            Path file = dir.resolve(String.format("host-%02d.json", f));
            if (f == 4) {
                file = dir.resolve("host-04.json.gz");
                try (OutputStream gz = new GZIPOutputStream(Files.newOutputStream(file))) {
                    gz.write(sb.toString().getBytes(StandardCharsets.UTF_8));
                }
            } else {
                Files.writeString(file, sb);
            }
        }
        Files.writeString(dir.resolve("README.txt"), "notes, not events\n");
        return List.of(dir);
    }

    @Test
    void generatedFilesGiveTheSameOutputWithAnyReaderCount(@TempDir Path dir) throws Exception {
        List<Path> inputs = generated(dir);
        for (ScanOptions options : List.of(TIGHT, ScanOptions.defaults())) {
            Outcome one = scan(inputs, 1, options);
            assertTrue(one.notables().lines().count() >= 5, "the inputs make notables: " + one.notables());
            assertTrue(!one.risk().isEmpty(), "and risk events");
            assertTrue((Long) one.counts().get("rejected") >= 9, one.counts().toString());
            assertTrue((Long) one.counts().get("late") >= 1, one.counts().toString());
            assertEquals(1L, one.counts().get("inputs_skipped"), one.counts().toString());
            assertTrue(one.problems().size() >= 10, one.problems().toString());
            for (int round = 0; round < 3; round++) {
                for (int readers : new int[]{2, 3, 8}) {
                    Outcome many = scan(inputs, readers, options);
                    assertEquals(one.notables(), many.notables(), readers + " readers, round " + round);
                    assertEquals(one.risk(), many.risk(), readers + " readers, round " + round);
                    assertEquals(one.counts(), many.counts(), readers + " readers, round " + round);
                    assertEquals(one.problems(), many.problems(), readers + " readers, round " + round);
                }
            }
        }
    }

    /**
     * The bundled rules find nothing in the shared datasets, so this scan adds a detection that matches common
     * command lines there ({@code cmd.exe}, {@code powershell}): thousands of matches in hourly windows.
     */
    @Test
    void sharedDatasetsGiveTheSameOutputWithAnyReaderCount(@TempDir Path rulesDir) throws Exception {
        List<Path> inputs = List.of(SharedData.require("evtx-samples"), SharedData.require("splunk-attack-data"),
                SharedData.require("otrf/datasets/atomic/windows/defense_evasion"));
        for (Path drl : Files.list(Path.of("rules-drl")).filter(p -> p.toString().endsWith(".drl")).toList()) {
            Files.copy(drl, rulesDir.resolve(drl.getFileName()));
        }
        Files.writeString(rulesDir.resolve("test_shell_started.drl"), """
                package io.procwatch.rules;
                import io.procwatch.normalize.ProcessEvent;
                global io.procwatch.detect.Detections detections;
                rule "Test Shell Started"
                    @id( "0b9f3e0e-6d6f-4e43-9d8c-2f4a3f1e5a11" )
                    @title( "Test Shell Started" )
                    @riskScore( 10 )
                    @riskObject( "dest" )
                    @riskObjectType( "system" )
                    @riskMessage( "shell on $dest$" )
                    @schedule( "0 * * * *" )
                    @earliest( "-60m@m" )
                    @latest( "now" )
                    @groupBy( "dest user" )
                when
                    $e : ProcessEvent( lc( "CommandLine" ) contains "cmd.exe" || lc( "CommandLine" ) contains "powershell" )
                then
                    insert( detections.match( kcontext, $e ) );
                end
                """);
        io.procwatch.detect.RuleSet rules = io.procwatch.detect.RuleSet.fromDirectory(rulesDir);
        Outcome one = scan(rules, inputs, 1, ScanOptions.defaults());
        assertTrue((Long) one.counts().get("events") > 100_000, one.counts().toString());
        assertTrue((Long) one.counts().get("late") > 0, one.counts().toString());
        assertTrue(one.notables().lines().count() > 20, "the shell rule makes notables: " + one.counts());
        for (int round = 0; round < 2; round++) {
            Outcome two = scan(rules, inputs, 2, ScanOptions.defaults());
            assertEquals(one.notables(), two.notables(), "round " + round);
            assertEquals(one.risk(), two.risk(), "round " + round);
            assertEquals(one.counts(), two.counts(), "round " + round);
            assertEquals(one.problems(), two.problems(), "round " + round);
        }
    }

    @Test
    void readerThreadsMustBePositive() {
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new ScanPipeline(TestRules.rulesDrl(), ScanOptions.defaults(), EvtxReader::new).readerThreads(0));
    }
}
