package io.procwatch.read;

import javax.xml.stream.XMLStreamException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * Reads Windows event XML as Splunk stores it ({@code XmlWinEventLog}): one {@code <Event>} per line,
 * several per line, or pretty-printed over many lines, optionally inside an {@code <Events>} wrapper.
 *
 * <p>The text is cut into {@code <Event>…</Event>} blocks first and each block parsed on its own, so a
 * malformed event costs only itself: it is rejected with the line it starts on and reading goes on. Text between
 * events is read as classic (non-XML) WinEventLog events when it is one ({@link ClassicEventParser}: Splunk
 * indexes mix both); blank lines, an XML declaration, the {@code <Events>} wrapper and {@code #} comments are
 * ignored, and anything else is rejected once per stretch, with its lines.
 */
public final class XmlEventReader implements EventReader {

    /** A block longer than this without its closing tag is taken as garbage rather than buffered forever. */
    static final int MAX_EVENT_CHARS = 8 * 1024 * 1024;

    @Override
    public void read(InputStream in, String source, RecordSink sink) throws IOException {
        EventXmlParser parser = new EventXmlParser();
        BoundedLineReader r = new BoundedLineReader(new InputStreamReader(in, StandardCharsets.UTF_8), MAX_EVENT_CHARS);
        StringBuilder event = null;
        ClassicEventParser outside = new ClassicEventParser(source, sink, "text outside any <Event> element");
        long eventLine = 0;
        long lineNo = 0;
        String line;
        while ((line = r.readLine()) != null) {
            lineNo++;
            if (lineNo == 1 && !line.isEmpty() && line.charAt(0) == '\uFEFF') {
                line = line.substring(1);
            }
            if (r.overLong()) {
                // Whatever the line held is lost; the event it belongs to is rejected with it.
                outside.end();
                sink.reject(new Origin(source, event != null ? eventLine : lineNo), "line " + lineNo + " longer than "
                        + MAX_EVENT_CHARS + " characters (" + (MAX_EVENT_CHARS + r.skipped()) + "); skipped"
                        + (event != null ? " with the <Event> it is part of" : ""));
                event = null;
                continue;
            }
            int pos = 0;
            while (pos < line.length()) {
                if (event == null) {
                    int start = findEventStart(line, pos);
                    outside.line(line.substring(pos, start < 0 ? line.length() : start), lineNo);
                    if (start < 0) {
                        break;
                    }
                    outside.end();
                    event = new StringBuilder(4096);
                    eventLine = lineNo;
                    pos = start;
                } else {
                    int nested = findEventStart(line, pos);
                    int end = line.indexOf("</Event>", pos);
                    if (nested >= 0 && (end < 0 || nested < end) && !(event.length() == 0 && nested == pos)) {
                        sink.reject(new Origin(source, eventLine), "<Event> not closed before the next <Event> begins");
                        event = null;
                        pos = nested;
                        continue;
                    }
                    if (end < 0) {
                        event.append(line, pos, line.length()).append('\n');
                        if (event.length() > MAX_EVENT_CHARS) {
                            sink.reject(new Origin(source, eventLine), "<Event> longer than " + MAX_EVENT_CHARS + " characters without </Event>");
                            event = null;
                        }
                        break;
                    }
                    int stop = end + "</Event>".length();
                    event.append(line, pos, stop);
                    emit(parser, event.toString(), new Origin(source, eventLine), sink);
                    event = null;
                    pos = stop;
                }
            }
        }
        outside.end();
        if (event != null) {
            sink.reject(new Origin(source, eventLine), "input ends inside an <Event> (no </Event>)");
        }
    }

    private static void emit(EventXmlParser parser, String xml, Origin origin, RecordSink sink) {
        try {
            sink.accept(new RawRecord(origin, parser.parse(xml)));
        } catch (XMLStreamException e) {
            sink.reject(origin, "malformed event XML: " + firstLine(e.getMessage()));
        }
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unknown parse error";
        }
        // StAX prefixes "ParseError at [row,col]:[1,2]\nMessage: ..." – keep the message.
        int m = s.indexOf("Message: ");
        return (m >= 0 ? s.substring(m + 9) : s).strip();
    }

    /** Index of the next {@code <Event} start tag (not {@code <EventData>} and the like), or -1. */
    static int findEventStart(String line, int from) {
        int i = line.indexOf("<Event", from);
        while (i >= 0) {
            int after = i + 6;
            if (after >= line.length()) {
                return i;
            }
            char c = line.charAt(after);
            if (c == ' ' || c == '>' || c == '\t' || c == '/') {
                return i;
            }
            i = line.indexOf("<Event", after);
        }
        return -1;
    }
}
