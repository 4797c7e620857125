package io.procwatch.read;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;

/**
 * The top level of one flat JSON record read for the fields a {@link RecordSink} decides on ({@code EventID},
 * {@code Channel}, {@code Provider} or nxlog's {@code SourceName}); every other value is passed over without being
 * decoded. Reused from record to record by one reader.
 */
final class RecordHead {

    /** What {@link #read} found. */
    enum Shape {
        /** The object ended; its head fields are set. */
        FLAT,
        /** A head field is an object or array, or the record is of a nested shape ({@code Event}, {@code winlog}). */
        NESTED,
        /** Stopped at a top-level {@code EventID} of 1 or 4688, when asked to: a record worth building at once. */
        PROCESS_ID
    }

    private String eventId;
    private String channel;
    private String provider;
    private String sourceName;

    /**
     * Reads from the object's {@code START_OBJECT}, which must be the parser's current token, to its
     * {@code END_OBJECT} (for {@link Shape#FLAT}) or to where it stopped.
     */
    Shape read(JsonParser p, boolean stopAtProcessId) throws IOException {
        eventId = channel = provider = sourceName = null;
        JsonToken t;
        while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            JsonToken v = p.nextToken();
            boolean head = key.equals("EventID") || key.equals("Channel") || key.equals("Provider")
                    || key.equals("SourceName");
            if (v == JsonToken.START_OBJECT || v == JsonToken.START_ARRAY) {
                if (head || key.equals("Event") || key.equals("winlog")) {
                    return Shape.NESTED;
                }
                p.skipChildren();
            } else if (head && v != JsonToken.VALUE_NULL) {
                String text = p.getText();
                switch (key) {
                    case "EventID" -> {
                        eventId = text;
                        if (stopAtProcessId && (text.equals("1") || text.equals("4688"))) {
                            return Shape.PROCESS_ID;
                        }
                    }
                    case "Channel" -> channel = text;
                    case "Provider" -> provider = text;
                    default -> sourceName = text;
                }
            }
        }
        if (t != JsonToken.END_OBJECT) {
            throw new IOException("unexpected " + t);
        }
        return Shape.FLAT;
    }

    /** After {@link Shape#FLAT}: whether the sink wants the record built. */
    boolean wantedBy(RecordSink sink) {
        return sink.wants(eventId, channel, provider != null ? provider : sourceName);
    }
}
