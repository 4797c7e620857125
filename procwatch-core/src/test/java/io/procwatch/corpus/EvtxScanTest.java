package io.procwatch.corpus;

import io.procwatch.SharedData;
import io.procwatch.TestScan;
import io.procwatch.aggregate.Notable;
import io.procwatch.engine.ScanStats;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@code scan} over EVTX goes through the same stages as every other format: each sample file's process-event
 * count equals MANIFEST.tsv's EID1 + 4688 columns, whole directories and files inside a zip give the same
 * counts, and no QEMU notable is raised (none of the samples holds QEMU use).
 */
class EvtxScanTest {

    @Test
    void everyEvtxFileScansToTheManifestCounts() throws Exception {
        List<ManifestCountsTest.Row> rows = ManifestCountsTest.rows().stream()
                .filter(r -> r.format().startsWith("EVTX")).toList();
        List<String> wrong = new ArrayList<>();
        long process = 0;
        List<Notable> notables = new ArrayList<>();
        for (ManifestCountsTest.Row r : rows) {
            ScanStats s = TestScan.scan(List.of(SharedData.require(r.file())), notables);
            process += s.processEvents();
            if (s.processEvents() != r.sysmon1() + r.sec4688() || s.events() != r.events() || s.rejected() != 0) {
                wrong.add(r.file() + ": " + s.events() + " events, " + s.processEvents() + " process events, "
                        + s.rejected() + " rejected; manifest " + r.events() + " / " + (r.sysmon1() + r.sec4688()));
            }
        }
        System.out.printf("EvtxScanTest: %d EVTX files, %,d process events%n", rows.size(), process);
        assertEquals(576, rows.size());
        assertEquals(List.of(), wrong);
        assertEquals(List.of(), notables);
    }

    @Test
    void directoryAndZipGiveTheSameCounts(@TempDir Path dir) throws Exception {
        Path samples = SharedData.require("evtx-samples/DeepBlueCLI");
        ScanStats direct = TestScan.scan(List.of(samples), new ArrayList<>());
        Path zip = dir.resolve("evtx.zip");
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(zip));
             var files = Files.walk(samples)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".evtx")).sorted().toList()) {
                z.putNextEntry(new ZipEntry(samples.relativize(f).toString()));
                try (OutputStream o = new java.io.FilterOutputStream(z) {
                    @Override
                    public void close() {
                    }
                }) {
                    Files.copy(f, o);
                }
            }
        }
        ScanStats zipped = TestScan.scan(List.of(zip), new ArrayList<>());
        assertEquals(46 + 90, direct.processEvents()); // SOURCES.md: DeepBlueCLI holds 46 EID 1 and 90 4688
        assertEquals(direct.events(), zipped.events());
        assertEquals(direct.processEvents(), zipped.processEvents());
        assertEquals(direct.inputs(), zipped.inputs());
    }
}
