package io.procwatch.write;

import io.procwatch.aggregate.Notable;

import java.io.IOException;

/** Writes notables in one output format. Not thread-safe. */
public interface NotableWriter extends AutoCloseable {

    void write(Notable notable) throws IOException;

    /** Flushes; the writer does not close the stream it was given. */
    @Override
    void close() throws IOException;
}
