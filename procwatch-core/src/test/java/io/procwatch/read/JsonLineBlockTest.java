package io.procwatch.read;

import io.procwatch.intake.EventSource;
import io.procwatch.normalize.EventNormalizer;
import io.procwatch.normalize.ProcessEvent;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * JSON lines read in runs by one parser ({@link JsonLineBlock}) give the same events, counts, lines and messages as
 * reading every line on its own as text, whatever the lines hold and wherever the input's reads cut them.
 */
class JsonLineBlockTest {

    private static final String SYSMON = "Microsoft-Windows-Sysmon/Operational";

    /** Lines of every kind the per-line path has a rule for; each may be followed by \n or \r\n. */
    private static final String[] LINES = {
        "{\"EventID\":1,\"Channel\":\"" + SYSMON + "\",\"@timestamp\":\"2024-03-04T11:00:%02dZ\",\"CommandLine\":\"cmd /c %d\"}",
        "{\"EventID\":3,\"Channel\":\"" + SYSMON + "\",\"Note\":\"a \\\"quoted\\\" \\\\path %d\"}",
        "  {\"Channel\":\"Security\",\"EventID\":4624,\"N\":%d}  ",
        "{\"EventID\":7,\"x\":{\"EventID\":1,\"y\":[1,2,{}]},\"Channel\":\"" + SYSMON + "\",\"n\":%d}",
        "{\"EventID\":\"4688\",\"Channel\":\"Security\",\"TimeCreated\":\"2024-03-04T11:00:00Z\",\"NewProcessName\":\"C:\\\\x%d.exe\"}",
        "{\"SourceName\":\"Microsoft-Windows-Sysmon\",\"EventID\":1,\"CommandLine\":\"nx %d\",\"EventTime\":\"2024-03-04 11:00:00\"}",
        "{\"EventID\":3,\"Channel\":\"" + SYSMON + "\"} {\"EventID\":3}",
        "{\"EventID\":3,\"Channel\":\"" + SYSMON + "\"} trailing %d",
        "{\"EventID\":3, broken %d",
        "{\"EventID\":3,\n\"Channel\":\"" + SYSMON + "\",\"n\":%d}",
        "{\"EventID\":3,\r\"n\":%d}",
        "{\"@timestamp\":\"2024-03-04T11:00:00Z\",\"winlog\":{\"channel\":\"" + SYSMON + "\",\"event_id\":%d,"
            + "\"event_data\":{\"CommandLine\":\"w\"}}}",
        "{\"Event\":{\"System\":{\"EventID\":3,\"Channel\":\"" + SYSMON + "\"},\"EventData\":{\"n\":%d}}}",
        "{\"EventID\":{\"v\":3},\"n\":%d}",
        "{\"EventID\":null,\"n\":%d}",
        "[%d]", "%d", "\"s%d\"", "", "   ", "\f", "{}", "{\"n\":%d}", "}",
        "{\"EventID\":3,\"Channel\":\"" + SYSMON + "\",\"bad\":\"\u00FF%d\"}",
    };

    @Test
    void runsOfLinesReadAsEveryLineOnItsOwn() throws Exception {
        Random random = new Random(2026_12_02L);
        for (int round = 0; round < 300; round++) {
            int lines = round % 10 == 0 ? 3_000 : 1 + random.nextInt(40);
            ByteArrayOutputStream data = new ByteArrayOutputStream();
            data.write(String.format(LINES[1], 0).getBytes(StandardCharsets.UTF_8)); // the first line picks JSON lines
            data.write('\n');
            for (int l = 0; l < lines; l++) {
                // Mostly background records, as in OTRF; every kind often enough.
                int kind = random.nextInt(4) == 0 ? random.nextInt(LINES.length) : 1 + random.nextInt(2);
                String text = String.format(LINES[kind], l % 60, l);
                byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
                if (text.contains("\u00FF")) {
                    bytes = text.replace("\u00FF", "\u0001").getBytes(StandardCharsets.UTF_8);
                    bytes[text.indexOf('\u00FF')] = (byte) 0xFF; // malformed UTF-8 (ASCII before it: same index)
                }
                data.write(bytes);
                if (l < lines - 1 || random.nextBoolean()) {
                    data.write(random.nextBoolean() ? "\n".getBytes() : "\r\n".getBytes());
                }
            }
            byte[] input = data.toByteArray();
            int maxRead = 1 + random.nextInt(round % 3 == 0 ? 50 : 200_000);
            List<String> viaBlocks = viaEventSource(input, maxRead);
            assertSame(lineByLineAsText(input), viaBlocks, "round " + round + ", reads of at most " + maxRead);
        }
    }

    @Test
    void aLongRunOfBackgroundRecordsIsCountedWithItsLines() throws Exception {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 20_000; i++) {
            sb.append(String.format(LINES[1], i)).append('\n');
        }
        sb.append("{\"EventID\":3, broken\n");
        List<String> out = viaEventSource(sb.toString().getBytes(StandardCharsets.UTF_8), Integer.MAX_VALUE);
        assertEquals(20_001, out.size());
        assertEquals("other t.json:20000", out.get(19_999));
        assertTrue(out.get(20_000).startsWith("rejected t.json:20001 malformed JSON: "), out.get(20_000));
    }

    /** Equal lists, or a failure that shows the first difference. */
    private static void assertSame(List<String> expected, List<String> actual, String what) {
        int i = 0;
        while (i < expected.size() && i < actual.size() && expected.get(i).equals(actual.get(i))) {
            i++;
        }
        if (i < expected.size() || i < actual.size()) {
            assertEquals(expected.subList(i, Math.min(i + 3, expected.size())),
                    actual.subList(i, Math.min(i + 3, actual.size())), what + ", from item " + i);
        }
    }

    private static List<String> viaEventSource(byte[] input, int maxRead) {
        List<String> out = new ArrayList<>();
        new EventSource().readStream(new ByteArrayInputStream(input) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, maxRead));
            }
        }, "t.json", Utf8LineReaderTest.collect(out, true));
        return out;
    }

    /** The oracle: every line decoded (malformed bytes as U+FFFD), flattened alone and normalized. */
    private static List<String> lineByLineAsText(byte[] input) {
        JsonEventReader reader = new JsonEventReader();
        EventNormalizer normalizer = new EventNormalizer();
        List<String> out = new ArrayList<>();
        long line = 0;
        for (String l : new String(input, StandardCharsets.UTF_8).split("\n", -1)) {
            line++;
            String t = l.endsWith("\r") ? l.substring(0, l.length() - 1) : l;
            if (t.isBlank()) {
                continue;
            }
            Origin origin = new Origin("t.json", line);
            try {
                ProcessEvent e = normalizer.normalize(new RawRecord(origin, reader.flatten(t)));
                out.add(e == null ? "other " + origin : "process " + e.getOrigin() + " " + e.allFields());
            } catch (Exception ex) {
                out.add("rejected " + origin + " malformed JSON: "
                        + String.valueOf(ex.getMessage()).lines().findFirst().orElse(""));
            }
        }
        return out;
    }
}
