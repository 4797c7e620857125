package io.procwatch.read;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads Windows events written as JSON, in the three shapes collectors produce:
 * <ul>
 *   <li>flat fields, one object per line (OTRF/Mordor, nxlog): {@code {"EventID":1,"Channel":…,"CommandLine":…}};</li>
 *   <li>Winlogbeat/ECS: {@code {"@timestamp":…,"winlog":{"channel":…,"event_id":…,"event_data":{…}}}};</li>
 *   <li>evtx_dump: {@code {"Event":{"System":{…},"EventData":{…}}}}, often pretty-printed and concatenated.</li>
 * </ul>
 * The shape is decided per object, so mixed files work. A malformed object is rejected with its line.
 */
public final class JsonEventReader implements EventReader {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final JsonFactory factory = MAPPER.getFactory();
    private final RecordHead head = new RecordHead();

    @Override
    public void read(InputStream in, String source, RecordSink sink) throws IOException {
        Utf8LineReader r = new Utf8LineReader(in, JsonRecordSplitter.MAX_RECORD_CHARS);
        long lineNo = 0;
        String line = null;
        // The first non-blank line decides: a whole object on it means JSON lines, read line by line as bytes (the
        // fast path: a record that is no process creation is decided from its head and never decoded to text).
        // Anything else goes through the splitter. An over-long line is rejected and skipped wherever it is.
        while (r.next()) {
            lineNo++;
            line = r.text();
            if (lineNo == 1 && !line.isEmpty() && line.charAt(0) == '\uFEFF') {
                line = line.substring(1);
            }
            if (r.overLong()) {
                rejectOverLong(r, new Origin(source, lineNo), sink);
                line = null;
                continue;
            }
            if (!line.isBlank()) {
                break;
            }
            line = null;
        }
        if (line == null) {
            return;
        }
        String first = line.strip();
        if (first.startsWith("\"")) {
            readXmlInJsonString(line, new BoundedLineReader(new InputStreamReader(r.rest(), StandardCharsets.UTF_8),
                    JsonRecordSplitter.MAX_RECORD_CHARS), source, sink);
            return;
        }
        if (first.startsWith("{") && first.endsWith("}") && parses(first)) {
            record(line, new Origin(source, lineNo), sink);
            JsonLineBlock blocks = new JsonLineBlock(factory, this::line);
            while (true) {
                if (r.nextBlock()) {
                    lineNo = blocks.read(r.buffer(), r.start(), r.start() + r.length(), lineNo, source, sink);
                    continue;
                }
                if (!r.next()) {
                    return;
                }
                lineNo++;
                if (r.overLong()) {
                    rejectOverLong(r, new Origin(source, lineNo), sink);
                } else {
                    line(r.buffer(), r.start(), r.length(), new Origin(source, lineNo), sink, JsonLineBlock.Known.NOTHING);
                }
            }
        }
        JsonRecordSplitter splitter = new JsonRecordSplitter(new JsonRecordSplitter.Handler() {
            @Override
            public void record(String json, long at) {
                JsonEventReader.this.record(json, new Origin(source, at), sink);
            }

            @Override
            public void garbage(long at, String reason) {
                sink.reject(new Origin(source, at), reason);
            }
        }, lineNo);
        splitter.split(new SequenceReader(line + "\n", new InputStreamReader(r.rest(), StandardCharsets.UTF_8)));
    }

    /**
     * One line of a JSON-lines input, still as bytes. Jackson's byte parser decides (and, for a wanted record, builds
     * the fields) without decoding the line to a {@code String}; a line it does not take as is (blank, not a plain
     * flat object, malformed JSON or malformed UTF-8, which the text path reads with replacement characters) is
     * decoded and read exactly as before, so the counts and messages do not depend on this path.
     *
     * @param known what the caller found out about the line already
     */
    private void line(byte[] b, int off, int len, Origin origin, RecordSink sink, JsonLineBlock.Known known) {
        if (known == JsonLineBlock.Known.LOOKS_LIKE_PROCESS || looksLikeProcessCreation(b, off, len)) {
            Map<String, String> fields;
            try (JsonParser p = factory.createParser(b, off, len)) {
                fields = flatten(p);
            } catch (IOException | RuntimeException e) {
                fields = null;
            }
            if (fields != null) {
                sink.accept(new RawRecord(origin, fields));
                return;
            }
        } else if (known != JsonLineBlock.Known.NOT_SKIPPED && skippable(b, off, len, sink)) {
            sink.skipped(origin);
            return;
        }
        String line = new String(b, off, len, StandardCharsets.UTF_8);
        if (!line.isBlank()) {
            record(line, origin, sink);
        }
    }

    /**
     * A document that is one JSON string whose text is event XML (seen in Splunk attack data exports):
     * decoded, then read as XML. Lines are those of the decoded text.
     */
    private void readXmlInJsonString(String firstLine, BoundedLineReader rest, String source, RecordSink sink)
            throws IOException {
        StringBuilder all = new StringBuilder(firstLine).append('\n');
        char[] buf = new char[1 << 16];
        int n;
        boolean tooLong = rest.overLong();
        while ((n = rest.read(buf)) > 0) {
            if (!tooLong && all.length() + n > JsonRecordSplitter.MAX_RECORD_CHARS) {
                tooLong = true;
                all = null;
            }
            if (!tooLong) {
                all.append(buf, 0, n);
            }
        }
        if (tooLong) {
            sink.reject(new Origin(source, 1), "JSON string longer than " + JsonRecordSplitter.MAX_RECORD_CHARS
                    + " characters; skipped");
            return;
        }
        String xml;
        try {
            xml = MAPPER.readValue(all.toString(), String.class);
        } catch (IOException e) {
            sink.reject(new Origin(source, 1), "malformed JSON string: " + String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
            return;
        }
        new XmlEventReader().read(new java.io.ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)),
                source + " (JSON string)", sink);
    }

    private static void rejectOverLong(Utf8LineReader r, Origin origin, RecordSink sink) {
        sink.reject(origin, "line longer than " + r.maxChars() + " characters (" + (r.maxChars() + r.skipped())
                + "); skipped");
    }

    private void record(String json, Origin origin, RecordSink sink) {
        if (skippable(json, sink)) {
            sink.skipped(origin);
            return;
        }
        Map<String, String> fields;
        try {
            fields = flatten(json);
        } catch (IOException | RuntimeException e) {
            String msg = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
            sink.reject(origin, "malformed JSON: " + msg);
            return;
        }
        sink.accept(new RawRecord(origin, fields));
    }

    /**
     * True when {@code json} is a well-formed object of the flat shape whose top-level {@code EventID},
     * {@code Channel} and {@code Provider}/{@code SourceName} the sink does not want: then no field map is built.
     * One pass over the tokens without decoding the other values. Anything else (the nested shapes, a malformed
     * object, one of those fields not a plain value) is left to {@link #flatten}, which decides and counts as always.
     */
    private boolean skippable(String json, RecordSink sink) {
        if (looksLikeProcessCreation(json)) {
            return false; // built in any case: spare the extra pass
        }
        try (JsonParser p = factory.createParser(json)) {
            return skippable(p, sink);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** {@link #skippable(String, RecordSink)} on a line's UTF-8 bytes. */
    private boolean skippable(byte[] b, int off, int len, RecordSink sink) {
        try (JsonParser p = factory.createParser(b, off, len)) {
            return skippable(p, sink);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private boolean skippable(JsonParser p, RecordSink sink) {
        try {
            if (p.nextToken() != JsonToken.START_OBJECT || head.read(p, false) != RecordHead.Shape.FLAT
                    || p.nextToken() != null) {
                return false;
            }
        } catch (IOException | RuntimeException e) {
            return false;
        }
        return !head.wantedBy(sink);
    }

    private static final byte[] EVENT_ID = "\"EventID\"".getBytes(StandardCharsets.US_ASCII);

    /** {@link #looksLikeProcessCreation(String)} on UTF-8 bytes. */
    static boolean looksLikeProcessCreation(byte[] b, int off, int len) {
        int end = off + len;
        int at = Bytes.indexOf(b, EVENT_ID, off, end);
        if (at < 0) {
            return false;
        }
        int i = at + EVENT_ID.length;
        while (i < end && (b[i] == ' ' || b[i] == ':' || b[i] == '"')) {
            i++;
        }
        int start = i;
        while (i < end && b[i] >= '0' && b[i] <= '9') {
            i++;
        }
        int n = i - start;
        return (n == 1 && b[start] == '1')
                || (n == 4 && b[start] == '4' && b[start + 1] == '6' && b[start + 2] == '8' && b[start + 3] == '8');
    }

    /**
     * A look at the text only: true when its first {@code "EventID"} is followed by 1 or 4688, the ids the sink may
     * want. Never decides that a record is skipped (only the token pass does), so it cannot change a count.
     */
    static boolean looksLikeProcessCreation(String json) {
        int at = json.indexOf("\"EventID\"");
        if (at < 0) {
            return false;
        }
        int i = at + 9;
        int n = json.length();
        while (i < n && (json.charAt(i) == ' ' || json.charAt(i) == ':' || json.charAt(i) == '"')) {
            i++;
        }
        int start = i;
        while (i < n && json.charAt(i) >= '0' && json.charAt(i) <= '9') {
            i++;
        }
        int len = i - start;
        return (len == 1 && json.charAt(start) == '1') || (len == 4 && json.startsWith("4688", start));
    }

    private boolean parses(String json) {
        try {
            flatten(json);
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** A string followed by the rest of a reader. */
    private static final class SequenceReader extends java.io.Reader {
        private final java.io.StringReader head;
        private final java.io.Reader tail;
        private boolean headDone;

        SequenceReader(String head, java.io.Reader tail) {
            this.head = new java.io.StringReader(head);
            this.tail = tail;
        }

        @Override
        public int read(char[] buf, int off, int len) throws IOException {
            if (!headDone) {
                int n = head.read(buf, off, len);
                if (n > 0) {
                    return n;
                }
                headDone = true;
            }
            return tail.read(buf, off, len);
        }

        @Override
        public void close() throws IOException {
            tail.close();
        }
    }

    /** Flattens one JSON object (any of the three shapes) to RawRecord fields. */
    Map<String, String> flatten(String json) throws IOException {
        try (JsonParser p = factory.createParser(json)) {
            return flatten(p);
        }
    }

    /**
     * One event already parsed to a tree (a HEC envelope's {@code event} object), flattened as a line of JSON would
     * be: the tree is walked, not written back to text.
     */
    public static void readObject(JsonNode object, Origin origin, RecordSink sink) {
        Map<String, String> fields;
        try (JsonParser p = MAPPER.treeAsTokens(object)) {
            fields = flatten(p);
        } catch (IOException | RuntimeException e) {
            sink.reject(origin, "malformed JSON: " + String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
            return;
        }
        sink.accept(new RawRecord(origin, fields));
    }

    private static Map<String, String> flatten(JsonParser p) throws IOException {
        Map<String, String> out = new LinkedHashMap<>(64);
        if (p.nextToken() != JsonToken.START_OBJECT) {
            throw new IOException("not a JSON object");
        }
        JsonToken t;
        while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            JsonToken v = p.nextToken();
            if (v == JsonToken.START_OBJECT || v == JsonToken.START_ARRAY) {
                JsonNode node = MAPPER.readTree(p);
                if (key.equals("Event") && node.has("System")) {
                    EvtxDumpShape.flatten(node, out);
                } else if (key.equals("winlog")) {
                    WinlogbeatShape.flatten(node, out);
                } else {
                    flattenDotted(key, node, out);
                }
            } else if (v != JsonToken.VALUE_NULL) {
                out.put(key, p.getText());
            }
        }
        if (t != JsonToken.END_OBJECT) {
            throw new IOException("unexpected " + t);
        }
        if (p.nextToken() != null) {
            throw new IOException("trailing content after the object");
        }
        return out;
    }

    /** Nested objects of the flat shape keep their path: {@code host.name}. */
    static void flattenDotted(String prefix, JsonNode node, Map<String, String> out) {
        if (node.isObject()) {
            Iterator<Map.Entry<String, JsonNode>> it = node.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                flattenDotted(prefix + "." + e.getKey(), e.getValue(), out);
            }
        } else if (node.isArray()) {
            out.put(prefix, node.toString());
        } else if (!node.isNull()) {
            out.put(prefix, node.asText());
        }
    }
}
