package io.procwatch.corpus;

import io.procwatch.SharedData;
import io.procwatch.normalize.EventNormalizer;
import io.procwatch.normalize.ProcessEvent;
import io.procwatch.normalize.RejectedRecordException;
import io.procwatch.read.InputListener;
import io.procwatch.read.InputWalker;
import io.procwatch.read.Origin;
import io.procwatch.read.RawRecord;
import io.procwatch.read.RecordSink;
import io.procwatch.read.evtx.EvtxReader;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The text readers reproduce, file by file, the event counts of ../shared/datasets/MANIFEST.tsv: records,
 * Sysmon EID 1 and Security 4688, with nothing rejected. The default run reads every XML and JSON file and the
 * 8 smallest OTRF zips; {@code -Pcorpus} reads all 122 zips (1M events). EVTX rows are the EVTX reader's tests.
 */
class ManifestCountsTest {

    record Row(String file, String format, long bytes, long events, long sysmon1, long sec4688) {
    }

    static List<Row> rows() throws IOException {
        Path manifest = SharedData.require("MANIFEST.tsv");
        List<Row> rows = new ArrayList<>();
        for (String line : Files.readAllLines(manifest).subList(1, Files.readAllLines(manifest).size())) {
            String[] c = line.split("\t", -1);
            if (c.length < 11 || c[0].equals("file")) {
                continue;
            }
            rows.add(new Row(c[0], c[5], Long.parseLong(c[6]), Long.parseLong(c[8]), Long.parseLong(c[9]), Long.parseLong(c[10])));
        }
        return rows;
    }

    /**
     * Files that hold more than XML events, with how many classic WinEventLog text events they hold beside them.
     * certutil_exe_certificate_extraction.raw interleaves its 40 XML events with 19 classic "LogName=… EventCode=…"
     * PowerShell 4104 events that the manifest does not count as Windows XML; they are read as events too.
     */
    static final java.util.Map<String, Long> MIXED_TEXT = java.util.Map.of(
            "certutil_exe_certificate_extraction.raw", 19L);

    static boolean textEvents(Row r) {
        return r.format().startsWith("Windows event XML") || r.format().startsWith("JSON") || r.format().startsWith("tar.gz");
    }

    static boolean zip(Row r) {
        return r.format().startsWith("ZIP");
    }

    @Test
    void xmlAndJsonFilesMatchTheManifest() throws IOException {
        check(rows().stream().filter(ManifestCountsTest::textEvents).toList(), 240);
    }

    @Test
    void smallestOtrfZipsMatchTheManifest() throws IOException {
        check(rows().stream().filter(ManifestCountsTest::zip)
                .sorted(java.util.Comparator.comparingLong(Row::bytes)).limit(8).toList(), 8);
    }

    @Test
    @Tag("corpus")
    void everyOtrfZipMatchesTheManifest() throws IOException {
        check(rows().stream().filter(ManifestCountsTest::zip).toList(), 122);
    }

    private static void check(List<Row> rows, int atLeast) {
        org.junit.jupiter.api.Assertions.assertTrue(rows.size() >= Math.min(atLeast, 1));
        EventNormalizer normalizer = new EventNormalizer();
        List<String> wrong = new ArrayList<>();
        long total = 0;
        for (Row r : rows) {
            long[] c = new long[4]; // events, sysmon1, 4688, rejected
            List<String> problems = new ArrayList<>();
            RecordSink sink = new RecordSink() {
                @Override
                public void accept(RawRecord record) {
                    c[0]++;
                    try {
                        ProcessEvent e = normalizer.normalize(record);
                        if (e != null) {
                            c[e.isSysmon() ? 1 : 2]++;
                        }
                    } catch (RejectedRecordException ex) {
                        c[3]++;
                        problems.add(record.origin() + ": " + ex.getMessage());
                    }
                }

                @Override
                public void reject(Origin origin, String reason) {
                    c[3]++;
                    problems.add(origin + ": " + reason);
                }
            };
            new InputWalker(EvtxReader::new).walk(List.of(SharedData.require(r.file())), sink, new InputListener() {
                @Override
                public void inputFailed(String source, String reason) {
                    problems.add(source + ": " + reason);
                }
            });
            total += c[0];
            long classic = MIXED_TEXT.getOrDefault(Path.of(r.file()).getFileName().toString(), 0L);
            boolean rejectionsOk = c[3] == 0;
            if (c[0] != r.events() + classic || c[1] != r.sysmon1() || c[2] != r.sec4688() || !rejectionsOk) {
                wrong.add(String.format("%s: read %d/%d events, %d/%d EID1, %d/%d 4688, %d rejected %s", r.file(),
                        c[0], r.events(), c[1], r.sysmon1(), c[2], r.sec4688(), c[3],
                        problems.subList(0, Math.min(3, problems.size()))));
            }
        }
        System.out.printf("ManifestCountsTest: %d files, %,d events checked%n", rows.size(), total);
        assertEquals(List.of(), wrong);
    }
}
