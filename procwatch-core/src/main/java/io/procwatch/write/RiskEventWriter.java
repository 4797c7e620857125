package io.procwatch.write;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.procwatch.risk.RiskEventListener;
import io.procwatch.risk.RiskEventRecord;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * {@code --risk-out FILE}: risk events as NDJSON, one JSON object per line in {@link RiskEventRecord#fields()} order.
 * Without a file it discards. Not thread-safe.
 */
public final class RiskEventWriter implements RiskEventListener, AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final Writer out;
    private long written;

    private RiskEventWriter(Writer out) {
        this.out = out;
    }

    /**
     * @param file   where to write, or {@code null} to discard
     * @param append {@code true} to append (a service never truncates), {@code false} to replace (a scan)
     */
    public static RiskEventWriter open(Path file, boolean append) throws IOException {
        if (file == null) {
            return new RiskEventWriter(null);
        }
        if (file.toAbsolutePath().getParent() != null) {
            Files.createDirectories(file.toAbsolutePath().getParent());
        }
        return new RiskEventWriter(append
                ? Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND)
                : Files.newBufferedWriter(file, StandardCharsets.UTF_8));
    }

    @Override
    public void onRiskEvent(RiskEventRecord r) {
        if (out == null) {
            return;
        }
        try {
            out.write(JSON.writeValueAsString(r.fields()));
            out.write('\n');
            written++;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Flushes what was written so far (a service calls it after each step). */
    public void flush() throws IOException {
        if (out != null) {
            out.flush();
        }
    }

    public long written() {
        return written;
    }

    @Override
    public void close() throws IOException {
        if (out != null) {
            out.close();
        }
    }
}
