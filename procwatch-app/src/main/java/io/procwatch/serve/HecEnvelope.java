package io.procwatch.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/**
 * Splunk HEC's envelope metadata as fallbacks for the event it carries: Splunk indexes an event with the envelope's
 * {@code time}, {@code host}, {@code source} and {@code sourcetype} when the event says nothing else, so a forwarder
 * may put the time only in the envelope. The event's own fields always win.
 */
final class HecEnvelope {

    /** The event time fields the normalizer reads; one present means the event has its own time. */
    private static final List<String> TIME_FIELDS = List.of("SystemTime", "@timestamp", "TimeCreated", "UtcTime",
            "EventTime");
    private static final List<String> HOST_FIELDS = List.of("Computer", "Hostname", "host");

    private HecEnvelope() {
    }

    /**
     * The text to parse for an envelope's {@code event}: an object (or a string holding one JSON object) with the
     * envelope's fallbacks filled in; any other string (event XML, JSON lines) as it is.
     */
    static String eventText(JsonNode envelope, JsonNode event, com.fasterxml.jackson.databind.ObjectMapper json)
            throws java.io.IOException {
        JsonNode object = event;
        if (event.isTextual()) {
            String text = event.asText();
            object = null;
            if (text.strip().startsWith("{")) {
                try {
                    object = json.readTree(text);
                } catch (java.io.IOException e) {
                    return text; // the reader rejects it with its reason
                }
            }
            if (object == null || !object.isObject()) {
                return text;
            }
        }
        return json.writeValueAsString(withFallbacks(envelope, (ObjectNode) object));
    }

    /**
     * The event object with the envelope's metadata filled in where the event lacks it: {@code time} (epoch
     * seconds, fractions allowed, or a time text) as {@code @timestamp}, {@code host} as {@code Computer},
     * {@code source} and {@code sourcetype} under their own names. {@code event} is copied, not changed.
     */
    static ObjectNode withFallbacks(JsonNode envelope, ObjectNode event) {
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
