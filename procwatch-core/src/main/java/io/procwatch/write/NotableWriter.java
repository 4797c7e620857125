package io.procwatch.write;

import io.procwatch.aggregate.Notable;
import io.procwatch.engine.NotableListener;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Writes notables in one output format. A writer is a {@link NotableListener}, the one sink interface of both
 * {@code scan} and the embedded engine: hand it to either. Not thread-safe.
 */
public interface NotableWriter extends NotableListener, AutoCloseable {

    void write(Notable notable) throws IOException;

    /** {@link #write}, with a failure to write raised as {@link UncheckedIOException}. */
    @Override
    default void onNotable(Notable notable) {
        try {
            write(notable);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Flushes; the writer does not close the stream it was given. */
    @Override
    void close() throws IOException;
}
