package io.procwatch.write;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.procwatch.aggregate.Notable;

import java.io.IOException;
import java.io.Writer;

/** One JSON object per line, fields in {@link Notable#fields()} order. */
public final class NdjsonNotableWriter implements NotableWriter {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final Writer out;

    public NdjsonNotableWriter(Writer out) {
        this.out = out;
    }

    @Override
    public void write(Notable notable) throws IOException {
        out.write(JSON.writeValueAsString(notable.fields()));
        out.write('\n');
    }

    @Override
    public void close() throws IOException {
        out.flush();
    }
}
