package io.procwatch.intake;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * What a Splunk HEC envelope means for the event it carries. A logging client may wrap the event once more:
 * {@code splunk-logging} (npm) sends {@code {"message": <event>, "severity": "info"}}, the Java logging appenders
 * add {@code logger}, {@code thread}, {@code level}; only an object whose other keys are all such logging metadata
 * is unwrapped, so a Winlogbeat event (which has a {@code message} beside {@code winlog}) is left alone. And Splunk
 * indexes an event with the envelope's {@code time}, {@code host}, {@code source} and {@code sourcetype} when the
 * event says nothing else, so a forwarder may put the time only in the envelope; the event's own fields win.
 */
public final class HecEnvelope {

    private static final Set<String> LOGGING_KEYS = Set.of("severity", "level", "logger", "thread", "time",
            "timestamp", "properties", "meta", "metadata", "exception", "marker");
    /** The event time fields the normalizer reads; one present means the event has its own time. */
    private static final List<String> TIME_FIELDS = List.of("SystemTime", "@timestamp", "TimeCreated", "UtcTime",
            "EventTime");
    private static final List<String> HOST_FIELDS = List.of("Computer", "Hostname", "host");

    private HecEnvelope() {
    }

    /** The event itself: {@code event.message} when {@code event} is such a wrapper, else {@code event}. */
    public static JsonNode unwrap(JsonNode event) {
        JsonNode message = event.isObject() ? event.get("message") : null;
        if (message == null || !(message.isObject() || message.isTextual())) {
            return event;
        }
        Iterator<String> keys = event.fieldNames();
        while (keys.hasNext()) {
            String k = keys.next();
            if (!k.equals("message") && !LOGGING_KEYS.contains(k)) {
                return event;
            }
        }
        return message;
    }

    /**
     * An envelope's {@code event} with the envelope's fallbacks filled in: an object (or a string holding one JSON
     * object) as an object; any other string (event XML, JSON lines) as it is, to be read like a file's text.
     */
    public static JsonNode withEnvelope(JsonNode envelope, JsonNode event, com.fasterxml.jackson.databind.ObjectMapper json) {
        JsonNode object = event;
        if (event.isTextual()) {
            String text = event.asText();
            if (!text.strip().startsWith("{")) {
                return event;
            }
            try {
                object = json.readTree(text);
            } catch (java.io.IOException e) {
                return event; // the reader rejects it with its reason
            }
        }
        return object != null && object.isObject() ? withFallbacks(envelope, (ObjectNode) object) : event;
    }

    /**
     * A record's text as the readers take it, for transports that carry one event per record (Kafka): the event of
     * a HEC envelope ({@code {"time":…,"host":…,"event":…}}), unwrapped and with the envelope's fallbacks, as text;
     * anything else as it is. A Winlogbeat/ECS record also has a top-level {@code event} object, but carries
     * {@code winlog}: it is not an envelope.
     */
    public static String recordText(String text, com.fasterxml.jackson.databind.ObjectMapper json) {
        String t = text.strip();
        if (!t.startsWith("{") || !t.contains("\"event\"") || t.contains("\"winlog\"")) {
            return text;
        }
        try {
            JsonNode n = json.readTree(t);
            JsonNode ev = n.get("event");
            if (ev == null || n.has("winlog") || !(ev.isTextual() || ev.isObject())) {
                return text;
            }
            JsonNode event = withEnvelope(n, unwrap(ev), json);
            return event.isTextual() ? event.asText() : json.writeValueAsString(event);
        } catch (java.io.IOException e) {
            return text;   // not JSON: the reader reports it
        }
    }

    /**
     * The event object with the envelope's metadata filled in where the event lacks it: {@code time} (epoch
     * seconds, fractions allowed, or a time text) as {@code @timestamp}, {@code host} as {@code Computer},
     * {@code source} and {@code sourcetype} under their own names. {@code event} is copied, not changed.
     */
    public static ObjectNode withFallbacks(JsonNode envelope, ObjectNode event) {
        ObjectNode e = event.deepCopy();
        JsonNode time = envelope.get("time");
        if (time != null && !time.isNull() && TIME_FIELDS.stream().noneMatch(e::hasNonNull)) {
            e.put("@timestamp", isoTime(time));
        }
        JsonNode host = envelope.get("host");
        if (host != null && host.isTextual() && HOST_FIELDS.stream().noneMatch(e::hasNonNull)) {
            e.put("Computer", host.asText());
        }
        for (String f : List.of("source", "sourcetype")) {
            JsonNode v = envelope.get(f);
            if (v != null && v.isTextual() && !e.hasNonNull(f)) {
                e.put(f, v.asText());
            }
        }
        return e;
    }

    /** HEC time: epoch seconds as a number or numeric text (with fractions); anything else is passed on as text. */
    static String isoTime(JsonNode time) {
        String text = time.asText().strip();
        try {
            BigDecimal seconds = new BigDecimal(text);
            long millis = seconds.movePointRight(3).setScale(0, java.math.RoundingMode.HALF_UP).longValueExact();
            return Instant.ofEpochMilli(millis).toString();
        } catch (NumberFormatException | ArithmeticException e) {
            return text;
        }
    }
}
