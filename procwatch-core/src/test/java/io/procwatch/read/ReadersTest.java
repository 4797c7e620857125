package io.procwatch.read;

import io.procwatch.read.evtx.EvtxReader;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every reader: formats, bad records rejected with file and line while the rest is read, containers. */
class ReadersTest {

    static final String EV = "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System>"
            + "<Provider Name='Microsoft-Windows-Sysmon'/><EventID>%d</EventID><TimeCreated SystemTime='2024-03-04T11:00:00.0000000Z'/>"
            + "<Channel>Microsoft-Windows-Sysmon/Operational</Channel><Computer>WKS-01</Computer><Security UserID='S-1-5-18'/></System>"
            + "<EventData><Data Name='CommandLine'>%s</Data><Data>unnamed</Data></EventData></Event>";

    /** Collects what a reader emits. */
    static final class Collected implements RecordSink, InputListener {
        final List<RawRecord> records = new ArrayList<>();
        final List<String> rejected = new ArrayList<>();
        final List<String> failed = new ArrayList<>();
        final List<String> skipped = new ArrayList<>();

        @Override
        public void accept(RawRecord r) {
            records.add(r);
        }

        @Override
        public void reject(Origin o, String reason) {
            rejected.add(o + ": " + reason);
        }

        @Override
        public void inputFailed(String s, String reason) {
            failed.add(s + ": " + reason);
        }

        @Override
        public void inputSkipped(String s, String reason) {
            skipped.add(s + ": " + reason);
        }
    }

    static Collected read(EventReader reader, String text) throws IOException {
        Collected c = new Collected();
        reader.read(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), "in.txt", c);
        return c;
    }

    @Test
    void xmlOnePerLineSeveralPerLineAndPrettyPrinted() throws IOException {
        String pretty = String.format(EV, 1, "a &amp; b &lt;c&gt;").replace("><", ">\n  <");
        String text = String.format(EV, 1, "one") + "\n" + String.format(EV, 3, "x") + String.format(EV, 1, "y") + "\n" + pretty + "\n";
        Collected c = read(new XmlEventReader(), text);
        assertEquals(List.of(), c.rejected);
        assertEquals(4, c.records.size());
        assertEquals("one", c.records.get(0).get("CommandLine"));
        assertEquals("1", c.records.get(0).get("EventID"));
        assertEquals("2024-03-04T11:00:00.0000000Z", c.records.get(0).get("SystemTime"));
        assertEquals("S-1-5-18", c.records.get(0).get("UserID"));
        assertEquals("unnamed", c.records.get(0).get("Data_1"));
        assertEquals("a & b <c>", c.records.get(3).get("CommandLine"));
        assertEquals(3, c.records.get(3).origin().line(), "pretty-printed event starts on line 3");
        assertEquals(2, c.records.get(2).origin().line());
    }

    @Test
    void malformedXmlEventIsRejectedWithItsLineAndReadingGoesOn() throws IOException {
        String text = String.format(EV, 1, "ok1") + "\n"
                + "<Event><System><EventID>1</EventID></Sys></Event>\n"      // mismatched tag
                + "garbage line\n"
                + String.format(EV, 1, "ok2") + "\n"
                + "<Event><System>";                                        // truncated at end
        Collected c = read(new XmlEventReader(), text);
        assertEquals(2, c.records.size());
        assertEquals(3, c.rejected.size(), c.rejected.toString());
        assertTrue(c.rejected.get(0).startsWith("in.txt:2: malformed event XML"), c.rejected.get(0));
        assertTrue(c.rejected.get(1).startsWith("in.txt:3: text outside any <Event> element"), c.rejected.get(1));
        assertTrue(c.rejected.get(2).startsWith("in.txt:5: input ends inside an <Event>"), c.rejected.get(2));
    }

    @Test
    void xmlEntitiesAndDtdsAreNotExpanded(@TempDir Path dir) throws IOException {
        Path secret = dir.resolve("secret.txt");
        Files.writeString(secret, "TOP-SECRET");
        String xxe = "<!DOCTYPE Event [<!ENTITY x SYSTEM \"" + secret.toUri() + "\">]>"
                + String.format(EV, 1, "&x;");
        Collected c = read(new XmlEventReader(), xxe + "\n");
        assertTrue(c.records.stream().noneMatch(r -> String.valueOf(r.get("CommandLine")).contains("TOP-SECRET")));
        // The DOCTYPE is stray text outside any event, and the event that references the entity fails to parse.
        assertEquals(0, c.records.size());
        assertEquals(2, c.rejected.size(), c.rejected.toString());
        assertTrue(c.rejected.get(1).contains("\"x\" was referenced, but not declared"), c.rejected.get(1));
    }

    @Test
    void jsonShapesFlatWinlogbeatAndEvtxDump() throws IOException {
        String flat = "{\"EventID\":1,\"Channel\":\"Microsoft-Windows-Sysmon/Operational\",\"CommandLine\":\"a {b} \\\"c\\\"\",\"Nothing\":null}";
        String beat = "{\"@timestamp\":\"2024-03-04T11:00:00Z\",\"winlog\":{\"channel\":\"Security\",\"event_id\":4688,"
                + "\"computer_name\":\"WKS-02\",\"event_data\":{\"NewProcessName\":\"C:\\\\x.exe\"}}}";
        Collected c = read(new JsonEventReader(), flat + "\n" + beat + "\n");
        assertEquals(List.of(), c.rejected);
        assertEquals("a {b} \"c\"", c.records.get(0).get("CommandLine"));
        assertTrue(!c.records.get(0).fields().containsKey("Nothing"));
        assertEquals("4688", c.records.get(1).get("EventID"));
        assertEquals("WKS-02", c.records.get(1).get("Computer"));
        assertEquals("C:\\x.exe", c.records.get(1).get("NewProcessName"));

        String dump = "{\n  \"Event\": {\n    \"System\": {\n      \"Provider\": {\"#attributes\": {\"Name\": \"Microsoft-Windows-Sysmon\"}},\n"
                + "      \"EventID\": 1,\n      \"TimeCreated\": {\"#attributes\": {\"SystemTime\": \"2024-03-04T11:00:00.1Z\"}},\n"
                + "      \"Channel\": \"Microsoft-Windows-Sysmon/Operational\"\n    },\n"
                + "    \"EventData\": {\"CommandLine\": \"x\", \"ProcessId\": 42}\n  }\n}\n";
        c = read(new JsonEventReader(), dump + dump);
        assertEquals(List.of(), c.rejected);
        assertEquals(2, c.records.size());
        assertEquals("42", c.records.get(1).get("ProcessId"));
        assertEquals("2024-03-04T11:00:00.1Z", c.records.get(1).get("SystemTime"));
        assertEquals(12, c.records.get(1).origin().line());
    }

    @Test
    void malformedJsonLineIsRejectedAloneWithItsLine() throws IOException {
        String text = "{\"EventID\":1}\n{\"EventID\":2, oops}\n{\"EventID\":3\n{\"EventID\":4}\n";
        Collected c = read(new JsonEventReader(), text);
        assertEquals(2, c.records.size());
        assertEquals("4", c.records.get(1).get("EventID"));
        assertEquals(2, c.rejected.size(), c.rejected.toString());
        assertTrue(c.rejected.get(0).startsWith("in.txt:2: malformed JSON"), c.rejected.get(0));
        assertTrue(c.rejected.get(1).startsWith("in.txt:3: malformed JSON"), c.rejected.get(1));
    }

    @Test
    void jsonStringHoldingEventXml() throws IOException {
        String xml = String.format(EV, 1, "C:\\\\x.exe \\\"quoted\\\"") + "\\n" + String.format(EV, 1, "two");
        Collected c = read(new JsonEventReader(), "\"" + xml + "\"");
        assertEquals(List.of(), c.rejected);
        assertEquals(2, c.records.size());
        assertEquals("C:\\x.exe \"quoted\"", c.records.get(0).get("CommandLine"));
    }

    @Test
    void containersDirectoriesAndFormatSniffing(@TempDir Path dir) throws IOException {
        byte[] xml = (String.format(EV, 1, "x") + "\n").getBytes(StandardCharsets.UTF_8);
        byte[] json = "{\"EventID\":1}\n{\"EventID\":2}\n".getBytes(StandardCharsets.UTF_8);
        Files.write(dir.resolve("a.log"), xml);                       // XML under a .log name
        try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(dir.resolve("b.gz")))) {
            o.write(json);
        }
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(dir.resolve("c.zip")))) {
            z.putNextEntry(new ZipEntry("inner/d.json"));
            z.write(json);
            z.putNextEntry(new ZipEntry("__MACOSX/inner/._d.json"));
            z.write(new byte[]{0, 5, 22, 7, 0, 2});
            z.putNextEntry(new ZipEntry("README.md"));
            z.write("not events".getBytes(StandardCharsets.UTF_8));
        }
        ByteArrayOutputStream tar = new ByteArrayOutputStream();
        try (TarArchiveOutputStream t = new TarArchiveOutputStream(new GZIPOutputStream(tar))) {
            TarArchiveEntry e = new TarArchiveEntry("attack_data.txt");
            e.setSize(json.length);
            t.putArchiveEntry(e);
            t.write(json);
            t.closeArchiveEntry();
        }
        Files.write(dir.resolve("e.tar.gz"), tar.toByteArray());
        Files.write(dir.resolve("empty.txt"), new byte[0]);
        Collected c = new Collected();
        new InputWalker(EvtxReader::new).walk(List.of(dir, dir.resolve("missing.json")), c, c);
        assertEquals(1 + 2 + 2 + 2, c.records.size());
        assertEquals(List.of(), c.rejected);
        assertTrue(c.records.stream().anyMatch(r -> r.origin().source().endsWith("c.zip!inner/d.json")));
        assertTrue(c.records.stream().anyMatch(r -> r.origin().source().endsWith("e.tar.gz!attack_data.txt")));
        assertEquals(3, c.skipped.size(), c.skipped.toString()); // macOS member, README member, empty file
        assertEquals(1, c.failed.size());
        assertTrue(c.failed.get(0).contains("missing.json: no such file"), c.failed.get(0));
    }

    @Test
    void sniffingTellsCommentedXmlFromYamlQuotingXml() {
        byte[] commented = ("#Bulk AD CS Events\r\n" + String.format(EV, 1, "x")).getBytes(StandardCharsets.UTF_8);
        byte[] yaml = "title: X\ndetection:\n  sel: '<EventID>7045</EventID>'\n".getBytes(StandardCharsets.UTF_8);
        assertEquals(InputFormat.XML, InputFormat.sniff(commented, commented.length));
        assertEquals(InputFormat.UNKNOWN, InputFormat.sniff(yaml, yaml.length));
        byte[] jsonString = "\"<Event xmlns='x'></Event>\"".getBytes(StandardCharsets.UTF_8);
        assertEquals(InputFormat.JSON, InputFormat.sniff(jsonString, jsonString.length));
    }

    @Test
    void namedFileThatIsNotEventDataFails(@TempDir Path dir) throws IOException {
        Path notes = Files.writeString(dir.resolve("notes.txt"), "hello");
        Collected c = new Collected();
        new InputWalker(EvtxReader::new).walk(List.of(notes), c, c);
        assertEquals(1, c.failed.size());
        assertTrue(c.failed.get(0).contains("not a recognised event format"));
    }
}
