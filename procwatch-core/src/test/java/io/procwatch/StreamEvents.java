package io.procwatch;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Test events for the stream and durability tests: Sysmon EID 1 as flat JSON lines from several hosts over some
 * hours, in time order, a share of them suspicious QEMU runs (both detections match), so that many windows open
 * and close along the stream.
 */
public final class StreamEvents {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SPLUNK_QEMU = "qemu-system-x86_64.exe -m 512 -nographic -hda C:\\Users\\Public\\tc.img";

    /** Host names that Kafka's default partitioner spreads over 2 partitions (5 and 3). */
    static final String[] HOSTS = {"WKS-FIN-07", "WKS-HR-03", "SRV-DB-01", "WKS-DEV-12", "WKS-OPS-04", "SRV-APP-02",
            "WKS-LEGAL-09", "WKS-SALES-11"};

    private StreamEvents() {
    }

    /**
     * {@code n} events from {@code hosts} hosts, one every {@code stepSeconds}, from 2024-03-04T08:00:00Z; every
     * {@code qemuEvery}-th is a QEMU run; then one benign event per host two hours later (so {@code n + hosts}
     * lines). Deterministic.
     */
    public static List<String> lines(int n, int hosts, int stepSeconds, int qemuEvery) throws IOException {
        Random r = new Random(13);
        long t = Instant.parse("2024-03-04T08:00:00Z").toEpochMilli();
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            t += stepSeconds * 1000L;
            String host = HOSTS[r.nextInt(Math.min(hosts, HOSTS.length))] + ".corp.example";
            String user = "CORP\\user" + r.nextInt(3);
            Map<String, String> extra = new LinkedHashMap<>();
            extra.put("Computer", host);
            extra.put("User", user);
            String cmd;
            if (i % qemuEvery == 0) {
                cmd = r.nextBoolean() ? TestEvents.KASPERSKY_1 : SPLUNK_QEMU;
            } else {
                cmd = "cmd.exe /c dir C:\\Users\\" + r.nextInt(50);
                extra.put("Image", "C:\\Windows\\System32\\cmd.exe");
                extra.put("Description", "Windows Command Processor");
                extra.put("Product", "Microsoft Windows Operating System");
                extra.put("Company", "Microsoft Corporation");
                extra.put("OriginalFileName", "Cmd.Exe");
            }
            out.add(JSON.writeValueAsString(TestEvents.sysmonFields(Instant.ofEpochMilli(t).toString(), cmd, extra)));
        }
        // The end of the stream: one benign event per host two hours on, so that every partition's clock passes
        // every window (a stream has no end of input; scan closes the same windows at its end).
        for (int h = 0; h < Math.min(hosts, HOSTS.length); h++) {
            Map<String, String> extra = new LinkedHashMap<>();
            extra.put("Computer", HOSTS[h] + ".corp.example");
            extra.put("Image", "C:\\Windows\\System32\\whoami.exe");
            extra.put("Description", "whoami");
            extra.put("Product", "Microsoft Windows Operating System");
            extra.put("Company", "Microsoft Corporation");
            out.add(JSON.writeValueAsString(TestEvents.sysmonFields(Instant.ofEpochMilli(t + 7_200_000L + h).toString(),
                    "whoami", extra)));
        }
        return out;
    }

    /** Writes lines {@code [from, to)} to a file. */
    public static Path write(Path file, List<String> lines, int from, int to) throws IOException {
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (String l : lines.subList(from, to)) {
                w.write(l);
                w.write('\n');
            }
        }
        return file;
    }

    /**
     * A notable as JSON without its {@code evidence}: where each contributing event was read differs by transport
     * (a file's line for scan, the HTTP client or the Kafka partition and offset for a service); everything else
     * must be equal.
     */
    public static String comparable(String notableJson) {
        try {
            com.fasterxml.jackson.databind.node.ObjectNode n =
                    (com.fasterxml.jackson.databind.node.ObjectNode) COMPARE.readTree(notableJson);
            n.remove("evidence");
            return COMPARE.writeValueAsString(n);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper COMPARE = new com.fasterxml.jackson.databind.ObjectMapper();
}
