package io.procwatch.read.evtx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.procwatch.read.RawRecord;
import java.io.BufferedInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Per-file counts of records, Sysmon EID 1 and Security 4688 equal MANIFEST.tsv for every EVTX row. */
class EvtxManifestCountsTest {

    @Test
    void everyEvtxRowOfTheManifestMatches() throws Exception {
        Path datasets = SharedDatasets.requireDatasets();
        List<String> lines = Files.readAllLines(datasets.resolve("MANIFEST.tsv"));
        List<String> header = Arrays.asList(lines.get(0).split("\t", -1));
        int file = header.indexOf("file");
        int format = header.indexOf("format");
        int events = header.indexOf("events");
        int sysmon1 = header.indexOf("sysmon1");
        int sec4688 = header.indexOf("sec4688");
        List<String> problems = new ArrayList<>();
        int rows = 0;
        long totalEvents = 0;
        for (String line : lines.subList(1, lines.size())) {
            String[] row = line.split("\t", -1);
            if (!row[format].equals("EVTX binary")) {
                continue;
            }
            rows++;
            CollectingSink sink = new CollectingSink();
            try (InputStream in = new BufferedInputStream(Files.newInputStream(datasets.resolve(row[file])))) {
                new EvtxReader().read(in, row[file], sink);
            }
            long sysmon = sink.accepted.stream().filter(r -> is(r, "Microsoft-Windows-Sysmon/Operational", "1")).count();
            long security = sink.accepted.stream().filter(r -> is(r, "Security", "4688")).count();
            String counts = sink.accepted.size() + "/" + sysmon + "/" + security;
            String expected = row[events] + "/" + row[sysmon1] + "/" + row[sec4688];
            if (!counts.equals(expected) || !sink.rejected.isEmpty()) {
                problems.add(row[file] + ": events/sysmon1/sec4688 expected " + expected + ", read " + counts
                        + (sink.rejected.isEmpty() ? "" : ", rejects " + sink.rejected));
            }
            totalEvents += sink.accepted.size();
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
        assertEquals(576, rows, "EVTX rows in MANIFEST.tsv");
        assertEquals(14_556, totalEvents);
    }

    private static boolean is(RawRecord record, String channel, String eventId) {
        return channel.equals(record.get("Channel")) && eventId.equals(record.get("EventID"));
    }
}
