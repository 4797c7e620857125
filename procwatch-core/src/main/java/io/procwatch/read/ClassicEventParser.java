package io.procwatch.read;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splunk's classic (non-XML) {@code WinEventLog} text, line by line: a time line ({@code 01/14/2021 11:41:39 PM}),
 * then {@code Key=Value} lines ({@code LogName=}, {@code EventCode=}, {@code ComputerName=}, {@code SourceName=},
 * {@code RecordNumber=}, …) and a multi-line {@code Message=}. Each event becomes a {@link RawRecord} with the XML
 * form's names ({@code Channel}, {@code EventID}, {@code Computer}, {@code Provider}, {@code EventRecordID},
 * {@code SystemTime}); a Security event's message blocks map onto its EventData names by
 * {@code classic-message.map} (4688's Creator Subject / Target Subject / Process Information, older Windows' single
 * Subject), and a Sysmon message's {@code Name: value} lines are its EventData as they are.
 *
 * <p>The time line carries no zone; it is read as UTC (Splunk writes the host's local time: a host not on UTC
 * shifts by its offset). Text that is not part of an event is rejected once per stretch with its lines, as the XML
 * reader does for text between events.
 */
final class ClassicEventParser {

    static final Pattern TIME_LINE = Pattern.compile("(\\d{1,2})/(\\d{1,2})/(\\d{4}) (\\d{1,2}):(\\d{2}):(\\d{2})(?: ?([AaPp][Mm]))?");
    private static final Pattern KEY_VALUE = Pattern.compile("([A-Za-z][A-Za-z0-9_]*)=(.*)");
    private static final DateTimeFormatter ISO = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss'Z'");
    /** Classic names onto the XML form's; the classic name stays too. */
    private static final Map<String, String> SYSTEM = Map.of("LogName", "Channel", "EventCode", "EventID",
            "ComputerName", "Computer", "SourceName", "Provider", "RecordNumber", "EventRecordID");
    private static final String SYSMON_CHANNEL = "Microsoft-Windows-Sysmon/Operational";
    /** event id → "block|label" → field, from {@code classic-message.map}. */
    private static final Map<String, Map<String, String>> MESSAGE_FIELDS = loadMap();
    /** Integrity levels as Windows names them in messages, onto the SIDs the XML form carries. */
    private static final Map<String, String> INTEGRITY = Map.of("untrusted", "S-1-16-0", "low", "S-1-16-4096",
            "medium", "S-1-16-8192", "medium plus", "S-1-16-8448", "high", "S-1-16-12288", "system", "S-1-16-16384",
            "protected process", "S-1-16-20480");

    private final String source;
    private final RecordSink sink;
    private final String strayReason;
    private Map<String, String> fields;
    private StringBuilder message;
    private long eventLine;
    private long strayFirst = -1;
    private long strayLast;
    private String straySample;

    /**
     * @param strayReason how text outside any event is described in its rejection
     */
    ClassicEventParser(String source, RecordSink sink, String strayReason) {
        this.source = source;
        this.sink = sink;
        this.strayReason = strayReason;
    }

    /** Reads a whole classic text stream. */
    static void readAll(InputStream in, String source, RecordSink sink) throws IOException {
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16);
        ClassicEventParser p = new ClassicEventParser(source, sink, "not a classic WinEventLog event");
        String line;
        long n = 0;
        while ((line = r.readLine()) != null) {
            n++;
            p.line(n == 1 && line.startsWith("\uFEFF") ? line.substring(1) : line, n);
        }
        p.end();
    }

    /** True when {@code text} starts with a classic event: a time line followed by a {@code Key=Value} line. */
    static boolean looksClassic(String text) {
        String[] lines = text.split("\r?\n", 3);
        return lines.length >= 2 && TIME_LINE.matcher(lines[0].strip()).matches()
                && KEY_VALUE.matcher(lines[1].strip()).matches();
    }

    /** One line (without its line break). */
    void line(String text, long lineNo) {
        String t = text.strip();
        if (TIME_LINE.matcher(t).matches()) {
            finishEvent();
            strayEnd();
            fields = new HashMap<>();
            fields.put("SystemTime", isoTime(t));
            eventLine = lineNo;
            return;
        }
        if (fields == null) {
            stray(t, lineNo);
            return;
        }
        if (message == null) {
            Matcher kv = KEY_VALUE.matcher(t);
            if (kv.matches()) {
                if (kv.group(1).equals("Message")) {
                    message = new StringBuilder(kv.group(2));
                } else {
                    fields.put(kv.group(1), kv.group(2).strip());
                }
                return;
            }
            if (t.isEmpty()) {
                return;
            }
            message = new StringBuilder();
        }
        message.append('\n').append(text.stripTrailing());
    }

    /** End of a stretch of text (the next XML event begins, or the input ends). */
    void end() {
        finishEvent();
        strayEnd();
    }

    private void finishEvent() {
        if (fields == null) {
            return;
        }
        Map<String, String> f = fields;
        StringBuilder msg = message;
        fields = null;
        message = null;
        if (!f.containsKey("EventCode") && !f.containsKey("LogName")) {
            sink.reject(new Origin(source, eventLine), "classic WinEventLog event without LogName= or EventCode=");
            return;
        }
        for (Map.Entry<String, String> e : SYSTEM.entrySet()) {
            String v = f.get(e.getKey());
            if (v != null) {
                f.putIfAbsent(e.getValue(), v);
            }
        }
        if (msg != null) {
            String text = msg.toString().strip();
            f.put("Message", text);
            messageFields(f, text);
        }
        sink.accept(new RawRecord(new Origin(source, eventLine), f));
    }

    /** A Sysmon message's {@code Name: value} lines, or a Security message's blocks by the map. */
    private static void messageFields(Map<String, String> f, String message) {
        boolean sysmon = SYSMON_CHANNEL.equalsIgnoreCase(f.getOrDefault("Channel", ""));
        Map<String, String> byLabel = MESSAGE_FIELDS.get(f.getOrDefault("EventID", ""));
        if (!sysmon && byLabel == null) {
            return;
        }
        String block = "";
        for (String raw : message.split("\n")) {
            String line = raw.strip();
            int colon = line.indexOf(':');
            if (colon <= 0) {
                continue;
            }
            String label = line.substring(0, colon).strip();
            String value = line.substring(colon + 1).strip();
            if (sysmon) {
                if (!label.contains(" ")) {
                    f.putIfAbsent(label, value);
                }
                continue;
            }
            if (value.isEmpty() && !raw.startsWith("\t") && !raw.startsWith(" ")) {
                block = label;
                continue;
            }
            String field = byLabel.get(block + "|" + label);
            if (field != null) {
                f.put(field, field.equals("MandatoryLabel") ? integritySid(value) : value);
            }
        }
    }

    /** {@code Mandatory Label\High Mandatory Level} → {@code S-1-16-12288}; a SID as it is. */
    static String integritySid(String label) {
        String l = label.toLowerCase(Locale.ROOT);
        int slash = l.indexOf('\\');
        if (slash >= 0) {
            l = l.substring(slash + 1);
        }
        l = l.replace("mandatory level", "").strip();
        return INTEGRITY.getOrDefault(l, label);
    }

    static String isoTime(String line) {
        Matcher m = TIME_LINE.matcher(line);
        if (!m.matches()) {
            throw new IllegalArgumentException(line);
        }
        int hour = Integer.parseInt(m.group(4));
        if (m.group(7) != null) {
            boolean pm = m.group(7).equalsIgnoreCase("pm");
            hour = hour % 12 + (pm ? 12 : 0);
        }
        try {
            return ISO.format(LocalDateTime.of(Integer.parseInt(m.group(3)), Integer.parseInt(m.group(1)),
                    Integer.parseInt(m.group(2)), hour, Integer.parseInt(m.group(5)), Integer.parseInt(m.group(6))));
        } catch (java.time.DateTimeException e) {
            return line; // the normalizer rejects it with the text
        }
    }

    private void stray(String t, long lineNo) {
        if (t.isEmpty() || t.startsWith("#")) {
            return;
        }
        t = t.replaceAll("<\\?xml[^>]*\\?>", "").replaceAll("</?Events(\\s[^>]*)?>", "").strip();
        if (t.isEmpty()) {
            return;
        }
        if (strayFirst < 0) {
            strayFirst = lineNo;
            straySample = t.length() > 60 ? t.substring(0, 60) + "…" : t;
        }
        strayLast = lineNo;
    }

    private void strayEnd() {
        if (strayFirst >= 0) {
            String lines = strayFirst == strayLast ? "" : " (lines " + strayFirst + "-" + strayLast + ")";
            sink.reject(new Origin(source, strayFirst), strayReason + lines + ": '" + straySample + "'");
            strayFirst = -1;
        }
    }

    private static Map<String, Map<String, String>> loadMap() {
        Map<String, Map<String, String>> m = new HashMap<>();
        try (InputStream in = ClassicEventParser.class.getResourceAsStream("classic-message.map")) {
            if (in == null) {
                throw new IllegalStateException("classic-message.map missing from the classpath");
            }
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                String t = line.strip();
                if (t.isEmpty() || t.startsWith("#")) {
                    continue;
                }
                String[] p = t.split("\\s*\\|\\s*");
                if (p.length != 4) {
                    throw new IllegalStateException("classic-message.map: bad line '" + t + "'");
                }
                m.computeIfAbsent(p[0], k -> new HashMap<>()).put(p[1] + "|" + p[2], p[3]);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return m;
    }
}
