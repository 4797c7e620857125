package io.procwatch.read;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * A {@link BufferedInputStream} whose {@link #available()} answers from its buffer while it holds bytes. The JDK's
 * asks the stream beneath every time, and {@code InputStreamReader} asks after every 8 KiB it decodes: through
 * zip, gzip and file streams that is an {@code lseek} and an {@code fstat} per 8 KiB (hundreds of thousands of
 * system calls on the corpus). Only an empty buffer asks the stream beneath, as before.
 */
final class LocalBufferedInputStream extends BufferedInputStream {

    LocalBufferedInputStream(InputStream in, int size) {
        super(in, size);
    }

    @Override
    public synchronized int available() throws IOException {
        int buffered = count - pos;
        return buffered > 0 ? buffered : super.available();
    }
}
