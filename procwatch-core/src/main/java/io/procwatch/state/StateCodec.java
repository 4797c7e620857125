package io.procwatch.state;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * {@link DetectionState} (and records that hold one, such as a Kafka partition checkpoint) as bytes: JSON, UTF-8.
 * Readable with any JSON tool, and tolerant of fields added by later versions. Thread-safe.
 */
public final class StateCodec {

    private final ObjectMapper json = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    /** A {@link DetectionState} or a record holding one. */
    public byte[] encode(Object state) {
        try {
            return json.writeValueAsBytes(state);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * @throws IOException the bytes are not a detection state, or of a newer format version than this procwatch reads
     */
    public DetectionState decode(byte[] bytes) throws IOException {
        return checked(json.readValue(bytes, DetectionState.class));
    }

    /** A record holding a detection state; the caller checks it with {@link #checked}. */
    public <T> T decode(byte[] bytes, Class<T> type) throws IOException {
        return json.readValue(bytes, type);
    }

    /** {@code s}, when this procwatch reads its format version. */
    public static DetectionState checked(DetectionState s) throws IOException {
        if (s.version() > DetectionState.VERSION) {
            throw new IOException("detection state of format version " + s.version() + " (this procwatch reads up to "
                    + DetectionState.VERSION + ")");
        }
        return s;
    }
}
