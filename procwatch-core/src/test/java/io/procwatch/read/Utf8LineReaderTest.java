package io.procwatch.read;

import io.procwatch.intake.EventSink;
import io.procwatch.intake.EventSource;
import io.procwatch.normalize.ProcessEvent;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The byte line reader of the JSON-lines path splits, cuts and counts lines exactly as the character line reader
 * it replaced (of an over-long line, which is rejected unread, its counts), and a JSON-lines file reads to the same events, counts and messages either way.
 */
class Utf8LineReaderTest {

    private static final String[] PIECES = {"a", "{\"EventID\":1}", " ", "\r", "é", "€", "\uD83D\uDE00", "\"x\":\"y\"",
        "0123456789", "ü\r"};

    private static List<String> viaChars(byte[] data, int max) throws Exception {
        BoundedLineReader r = new BoundedLineReader(new InputStreamReader(new ByteArrayInputStream(data),
                StandardCharsets.UTF_8), max);
        List<String> out = new ArrayList<>();
        for (String line; (line = r.readLine()) != null; ) {
            out.add((r.overLong() ? "" : line) + "|" + r.overLong() + "|" + r.skipped());
        }
        return out;
    }

    private static List<String> viaBytes(byte[] data, int max) throws Exception {
        // A stream that hands out at most 7 bytes per read, so lines and characters straddle every refill.
        Utf8LineReader r = new Utf8LineReader(new ByteArrayInputStream(data) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, 7));
            }
        }, max);
        List<String> out = new ArrayList<>();
        while (r.next()) {
            out.add((r.overLong() ? "" : r.text()) + "|" + r.overLong() + "|" + r.skipped());
        }
        return out;
    }

    @Test
    void splitsCutsAndCountsLinesAsTheCharacterReader() throws Exception {
        Random random = new Random(17);
        for (int round = 0; round < 400; round++) {
            StringBuilder sb = new StringBuilder();
            int lines = random.nextInt(6);
            for (int l = 0; l < lines; l++) {
                int pieces = random.nextInt(round % 10 == 0 ? 400 : 12);
                for (int p = 0; p < pieces; p++) {
                    sb.append(PIECES[random.nextInt(PIECES.length)]);
                }
                if (l < lines - 1 || random.nextBoolean()) {
                    sb.append(random.nextBoolean() ? "\n" : "\r\n");
                }
            }
            byte[] data = sb.toString().getBytes(StandardCharsets.UTF_8);
            int max = 1 + random.nextInt(60);
            assertEquals(viaChars(data, max), viaBytes(data, max), "max " + max + ": " + sb);
        }
    }

    @Test
    void jsonLinesReadToTheSameEventsCountsAndMessagesAsText() throws Exception {
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        String sysmon = "{\"EventID\":1,\"Channel\":\"Microsoft-Windows-Sysmon/Operational\",\"Computer\":\"WKS-%d\","
                + "\"@timestamp\":\"2024-03-04T11:00:%02dZ\",\"CommandLine\":\"cmd.exe /c %s\"}\n";
        String other = "{\"EventID\":3,\"Channel\":\"Microsoft-Windows-Sysmon/Operational\",\"Note\":\"%s\"}\n";
        data.write("\uFEFF".getBytes(StandardCharsets.UTF_8));
        for (int i = 0; i < 40; i++) {
            data.write(String.format(sysmon, i, i, "é€" + i).getBytes(StandardCharsets.UTF_8));
            data.write(String.format(other, "x" + i).getBytes(StandardCharsets.UTF_8));
        }
        data.write("{\"EventID\":3, broken\n".getBytes(StandardCharsets.UTF_8));
        data.write("   \r\n".getBytes(StandardCharsets.UTF_8));
        // Malformed UTF-8 inside values: read with replacement characters, as text decoding does.
        data.write("{\"EventID\":1,\"Channel\":\"Microsoft-Windows-Sysmon/Operational\",\"@timestamp\":\"2024-03-04T12:00:00Z\",\"CommandLine\":\"a\u0000b\"}\n"
                .replace("\u0000", "").getBytes(StandardCharsets.UTF_8));
        data.write(new byte[]{'{', '"', 'E', 'v', 'e', 'n', 't', 'I', 'D', '"', ':', '3', ',', '"', 'N', '"', ':', '"',
            (byte) 0xC3, '"', '}', '\n'});
        data.write(new byte[]{'{', '"', 'E', 'v', 'e', 'n', 't', 'I', 'D', '"', ':', '1', ',', '"', 'C', 'h', 'a', 'n',
            'n', 'e', 'l', '"', ':', '"', 'S', 'e', 'c', 'u', 'r', 'i', 't', 'y', '"', ',', '"', 'X', '"', ':', '"',
            (byte) 0xFF, '"', '}', '\n'});
        byte[] bytes = data.toByteArray();

        List<String> viaBytes = new ArrayList<>();
        new EventSource().readStream(new ByteArrayInputStream(bytes), "t.json", collect(viaBytes, false));
        // The same lines decoded as text (malformed bytes as U+FFFD) and read one by one, as the text path did.
        List<String> viaText = new ArrayList<>();
        JsonEventReader reader = new JsonEventReader();
        io.procwatch.normalize.EventNormalizer normalizer = new io.procwatch.normalize.EventNormalizer();
        String text = new String(bytes, StandardCharsets.UTF_8).substring(1);
        long line = 0;
        for (String l : text.split("\n", -1)) {
            line++;
            String t = l.endsWith("\r") ? l.substring(0, l.length() - 1) : l;
            if (t.isBlank()) {
                continue;
            }
            try {
                io.procwatch.normalize.ProcessEvent e = normalizer.normalize(new RawRecord(new Origin("t.json", line),
                        reader.flatten(t)));
                viaText.add(e == null ? "other t.json:" + line : "process " + e.getOrigin() + " " + e.allFields());
            } catch (Exception ex) {
                viaText.add("rejected t.json:" + line);
            }
        }
        assertEquals(viaText, viaBytes);
    }

    /** Each event as a line: kind, origin, and a process event's fields or (when asked) a rejection's reason. */
    static EventSink collect(List<String> out, boolean reasons) {
        return new EventSink() {
            @Override
            public void processEvent(ProcessEvent e) {
                out.add("process " + e.getOrigin() + " " + e.allFields());
            }

            @Override
            public void otherEvent(Origin origin, RawRecord record) {
                out.add("other " + origin);
            }

            @Override
            public void rejected(Origin origin, String reason) {
                out.add("rejected " + origin + (reasons ? " " + reason : ""));
            }
        };
    }
}
