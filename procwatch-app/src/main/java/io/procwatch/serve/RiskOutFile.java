package io.procwatch.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.procwatch.durable.DurableRiskOutput;
import io.procwatch.risk.RiskEventRecord;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * {@code serve --risk-out FILE}: each risk event appended as one NDJSON line, written whole with one call before
 * the listener returns (with {@code --state-dir} its id is recorded once it is in the file). A line a kill cut short
 * is cut off at the next start; the last whole line tells which risk event the file held at start.
 */
public final class RiskOutFile implements DurableRiskOutput, AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path path;
    private final RetryingNdjsonFile file;
    private final String lastIdAtStart;

    public RiskOutFile(Path path, Consumer<String> notices) throws IOException {
        this.path = path;
        this.file = new RetryingNdjsonFile(path, 0, true, notices, "risk events");
        this.lastIdAtStart = idOf(file.lastLineAtOpen());
    }

    private static String idOf(String line) {
        if (line == null) {
            return null;
        }
        try {
            JsonNode id = JSON.readTree(line).get("risk_event_id");
            return id == null || !id.isTextual() ? null : id.asText();
        } catch (IOException e) {
            return null;   // not a risk event line: it names none
        }
    }

    @Override
    public void onRiskEvent(RiskEventRecord r) {
        try {
            if (!file.tryAppend(JSON.writeValueAsString(r.fields()))) {
                throw new IOException("cannot write to " + path + ": " + file.lastError());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public boolean heldAtStart(String riskEventId) {
        return riskEventId != null && riskEventId.equals(lastIdAtStart);
    }

    @Override
    public void close() {
        file.close();
    }
}
