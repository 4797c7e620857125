package io.procwatch.serve;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Iterator;
import java.util.Set;

/**
 * Unwraps the {@code event} of a HEC envelope that a logging client wrapped once more. Splunk's own clients do:
 * {@code splunk-logging} (npm) sends {@code {"message": <event>, "severity": "info"}}, the Java logging appenders
 * add {@code logger}, {@code thread}, {@code level}. Only an object whose other keys are all such logging
 * metadata is unwrapped, so a Winlogbeat event (which has a {@code message} beside {@code winlog}) is left alone.
 */
final class HecEnvelope {

    private static final Set<String> LOGGING_KEYS = Set.of("severity", "level", "logger", "thread", "time",
            "timestamp", "properties", "meta", "metadata", "exception", "marker");

    private HecEnvelope() {
    }

    /** The event itself: {@code event.message} when {@code event} is such a wrapper, else {@code event}. */
    static JsonNode unwrap(JsonNode event) {
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
}
