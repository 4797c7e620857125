package io.procwatch.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;

/**
 * Splunk HEC envelopes as Kafka record values ({@code {"time":…,"host":…,"event":…}}, as Splunk-bound pipelines
 * write them): the event inside (an object, or a string of JSON or XML) is what the readers parse. A Winlogbeat/ECS
 * record also has a top-level {@code event} object, but carries {@code winlog}; it is left as it is.
 */
final class HecEnvelope {

    private final ObjectMapper json = new ObjectMapper();

    /** The event text of an envelope, or {@code text} itself when it is not one. */
    String unwrap(String text) {
        if (!text.contains("\"event\"") || text.contains("\"winlog\"")) {
            return text;
        }
        String t = text.strip();
        if (!t.startsWith("{")) {
            return text;
        }
        try {
            JsonNode n = json.readTree(t);
            JsonNode ev = n.get("event");
            if (ev == null || n.has("winlog")) {
                return text;
            }
            return ev.isTextual() ? ev.asText() : ev.isObject() ? json.writeValueAsString(ev) : text;
        } catch (IOException e) {
            return text;   // not JSON: the reader reports it
        }
    }
}
