package io.procwatch.read;

import java.io.IOException;
import java.io.InputStream;

/**
 * Reads one input of a single format and pushes each record to a sink.
 *
 * <p>A malformed record must be reported through {@link RecordSink#reject} and reading must go on with the
 * next record. An {@link IOException} means the input itself could not be read further; the caller reports
 * it against the input and moves on to the next one.
 */
public interface EventReader {

    /**
     * @param in     the input, positioned at its start; not closed by the reader
     * @param source the name used in {@link Origin}s (a path, or {@code archive!member})
     * @param sink   receives records and rejections
     */
    void read(InputStream in, String source, RecordSink sink) throws IOException;
}
