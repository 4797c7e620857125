package io.procwatch.cli;

import io.procwatch.aggregate.Notable;
import io.procwatch.serve.RetryingNdjsonFile;
import io.procwatch.write.NotableWriter;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code scan -o FILE} on a disk that may fill up: the format writer's text is collected per notable and handed to
 * the same {@link RetryingNdjsonFile} as {@code serve --out}, so each notable's record (NDJSON line, CSV row, the
 * table at the end) is written whole or kept in a bounded buffer and written when space returns. At the end of the
 * scan it waits up to {@code patience} for what is still kept; what then cannot be written is reported as lost.
 * Every change of state is one line on stderr; the figures go to {@code --stats}.
 */
final class RetryingOutWriter extends Writer {

    /** Notables kept while the file cannot be written (about 100,000 of a typical size), as for {@code serve}. */
    static final long MAX_PENDING_BYTES = 64L * 1024 * 1024;

    private final Path path;
    private final RetryingNdjsonFile file;
    private final Duration patience;
    private final PrintWriter err;
    private final StringBuilder record = new StringBuilder();

    RetryingOutWriter(Path path, Duration patience, PrintWriter err) throws IOException {
        this.path = path;
        this.patience = patience;
        this.err = err;
        this.file = new RetryingNdjsonFile(path, MAX_PENDING_BYTES, false, msg -> {
            err.println("procwatch: -o " + msg);
            err.flush();
        });
    }

    @Override
    public void write(char[] chars, int off, int len) {
        record.append(chars, off, len);
    }

    /** Nothing: text reaches the file only as whole records ({@link #endRecord()}). */
    @Override
    public void flush() {
    }

    /** Hands the text written since the last call to the file as one record. */
    void endRecord() {
        if (!record.isEmpty()) {
            file.appendRecord(record.toString());
            record.setLength(0);
        }
    }

    /** {@code writer} (writing into this) with each notable's text made one record. */
    NotableWriter recordAtATime(NotableWriter writer) {
        return new NotableWriter() {
            @Override
            public void write(Notable n) throws IOException {
                writer.write(n);
                endRecord();
            }

            @Override
            public void close() throws IOException {
                writer.close();
                endRecord();
            }
        };
    }

    /** Waits for what is still kept (up to the patience), then closes the file. */
    @Override
    public void close() throws IOException {
        endRecord();
        try {
            int waiting = file.pendingLines();
            if (waiting > 0) {
                err.println("procwatch: -o " + path + ": waiting up to " + patience.toSeconds() + " s (--out-wait) for "
                        + "the disk to take the " + waiting + " notables kept");
                err.flush();
                file.awaitWritten(patience);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for " + path);
        } finally {
            file.close();
        }
    }

    /** Notables that could not be written and are lost. */
    long lost() {
        return file.dropped();
    }

    /** For {@code --stats}: how writing the file went. */
    Map<String, Object> stats() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("file", path.toString());
        m.put("write_failures", file.failures());
        m.put("notables_delayed", file.delayed());
        m.put("notables_lost", file.dropped());
        return m;
    }

    /** One summary line when writing failed at all, else null. */
    String summary() {
        if (file.failures() == 0) {
            return null;
        }
        return "output: " + file.delayed() + " notables waited for " + path + " (" + file.failures()
                + " failed writes); " + (file.dropped() == 0 ? "all written" : file.dropped() + " lost");
    }
}
