package io.procwatch.read;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;

/**
 * A run of complete JSON lines read with one Jackson parser, for inputs where most records are only counted (OTRF:
 * 99.6 % are not process creations). A parser per line cost more than reading a record's head (its set-up, and a
 * scan of every byte for the line's end); here the parser walks the whole run and the line breaks are counted in
 * the few bytes between one object and the next.
 *
 * <p>Only the one case is decided here: a line holding exactly one well-formed flat object that the sink does not
 * want is counted as skipped. Every other line (a record to build, a nested shape, malformed JSON, two objects on a
 * line, an object over several lines, anything not an object) goes to the line-by-line path, which decides, counts
 * and reports it exactly as it would without this class: from a line the parser could not take to the end of the run.
 */
final class JsonLineBlock {

    /** What is known of a line handed to the line-by-line path. */
    enum Known {
        NOTHING,
        /** One object whose head {@link RecordHead} read: not a record to skip. */
        NOT_SKIPPED,
        /** Its first {@code "EventID"} is 1 or 4688 ({@link JsonEventReader#looksLikeProcessCreation}). */
        LOOKS_LIKE_PROCESS
    }

    /** The line-by-line path: one line's bytes, without its line break. */
    interface LinePath {
        void line(byte[] b, int off, int len, Origin origin, RecordSink sink, Known known);
    }

    private final JsonFactory factory;
    private final LinePath linePath;
    private final RecordHead head = new RecordHead();

    JsonLineBlock(JsonFactory factory, LinePath linePath) {
        this.factory = factory;
        this.linePath = linePath;
    }

    /**
     * Reads the lines of {@code b[from, to)}, which ends with a line break.
     *
     * @param linesBefore the number of the line before {@code from}
     * @return the number of the last line of the run
     */
    long read(byte[] b, int from, int to, long linesBefore, String source, RecordSink sink) {
        Cursor c = new Cursor(b, from, to, linesBefore + 1);
        try {
            return read(c, source, sink);
        } catch (IOException | RuntimeException e) {
            if (c.inSink) {
                throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
            }
            // The parser failed on something: the line-by-line path takes it from the first line not yet counted.
            return lineByLine(b, c.undecidedStart(), to, c.undecidedLine(), source, sink);
        } finally {
            c.close();
        }
    }

    private long read(Cursor c, String source, RecordSink sink) throws IOException {
        byte[] b = c.b;
        c.startAt(c.lineStart);
        while (true) {
            JsonToken t = c.parser.nextToken();
            int at = t == null ? c.to : c.tokenStart();
            int breaks = c.lineBreaks(at);
            if (c.pendingSkip) {
                if (breaks == 0 && t != null) {
                    return lineByLine(b, c.pendingStart, c.to, c.pendingLine, source, sink); // a second value on the line
                }
                c.inSink = true;
                sink.skipped(new Origin(source, c.pendingLine));
                c.inSink = false;
                c.pendingSkip = false;
            }
            if (t == null) {
                return c.line - 1;
            }
            if (t != JsonToken.START_OBJECT) {
                return lineByLine(b, c.lineStart, c.to, c.line, source, sink);
            }
            int row = c.tokenRow();
            RecordHead.Shape shape = head.read(c.parser, true);
            if (shape == RecordHead.Shape.FLAT && c.tokenRow() != row) {
                return lineByLine(b, c.lineStart, c.to, c.line, source, sink); // an object over several lines
            }
            if (shape == RecordHead.Shape.FLAT && !head.wantedBy(sink)) {
                // Counted once the next value is known to start on a later line.
                c.pendingSkip = true;
                c.pendingStart = c.lineStart;
                c.pendingLine = c.line;
                c.afterToken();
                continue;
            }
            c.inSink = true;
            int end = lineEnd(b, c.lineStart, c.to);
            line(b, c.lineStart, end, c.line++, source, sink,
                    shape == RecordHead.Shape.PROCESS_ID ? Known.NOTHING : Known.NOT_SKIPPED);
            // Records to build seldom come alone (a file of process creations): while the lines look like more of
            // them, they go the line-by-line way, which builds them from one parse; the parser starts again after.
            int next = end + 1;
            while (next < c.to) {
                end = lineEnd(b, next, c.to);
                if (!JsonEventReader.looksLikeProcessCreation(b, next, contentLength(b, next, end))) {
                    break;
                }
                line(b, next, end, c.line++, source, sink, Known.LOOKS_LIKE_PROCESS);
                next = end + 1;
            }
            c.inSink = false;
            c.startAt(next);
        }
    }

    /** The line-by-line path for the line {@code b[start, end)}, {@code end} its line break. */
    private void line(byte[] b, int start, int end, long line, String source, RecordSink sink, Known known) {
        linePath.line(b, start, contentLength(b, start, end), new Origin(source, line), sink, known);
    }

    /** The length of the line {@code b[start, end)} without the {@code \r} of a {@code \r\n} break. */
    private static int contentLength(byte[] b, int start, int end) {
        return end > start && b[end - 1] == '\r' ? end - start - 1 : end - start;
    }

    /** The index of the line break that ends the line at {@code start} (a run ends with one). */
    private static int lineEnd(byte[] b, int start, int to) {
        return Bytes.indexOf(b, (byte) '\n', start, to);
    }

    /** The line-by-line path over {@code b[from, to)}; returns the number of the last line. */
    private long lineByLine(byte[] b, int from, int to, long firstLine, String source, RecordSink sink) {
        long line = firstLine;
        for (int start = from; start < to; ) {
            int end = lineEnd(b, start, to);
            line(b, start, end, line++, source, sink, Known.NOTHING);
            start = end + 1;
        }
        return line - 1;
    }

    /** Where the parser is in the run, in bytes and lines, and the one skipped record not yet counted. */
    private final class Cursor {
        final byte[] b;
        final int to;
        JsonParser parser;
        int parserBase;     // b index of the parser's offset 0
        int scanned;        // bytes before this index are counted in `line`
        int lineStart;      // start of the line `line`
        long line;          // the line of the parser's next value
        boolean pendingSkip;
        int pendingStart;
        long pendingLine;
        boolean inSink;     // an exception now is the sink's, not the parser's

        Cursor(byte[] b, int from, int to, long firstLine) {
            this.b = b;
            this.to = to;
            this.scanned = from;
            this.lineStart = from;
            this.line = firstLine;
        }

        int tokenStart() {
            return parserBase + (int) parser.currentTokenLocation().getByteOffset();
        }

        int tokenRow() {
            return parser.currentTokenLocation().getLineNr();
        }

        /** Counts the line breaks in {@code [scanned, at)}, which the parser read as white space. */
        int lineBreaks(int at) {
            int breaks = 0;
            for (int i = scanned; i < at; i++) {
                if (b[i] == '\n') {
                    breaks++;
                    lineStart = i + 1;
                }
            }
            line += breaks;
            scanned = at;
            return breaks;
        }

        /** After an object's {@code END_OBJECT}: what follows it on the line is white space or the next value. */
        void afterToken() {
            scanned = tokenStart() + 1;
        }

        /** Continues at the start of line {@code line} with a new parser. */
        void startAt(int start) throws IOException {
            lineStart = start;
            scanned = start;
            close();
            parser = factory.createParser(b, start, to - start);
            parserBase = start;
        }

        int undecidedStart() {
            return pendingSkip ? pendingStart : lineStart;
        }

        long undecidedLine() {
            return pendingSkip ? pendingLine : line;
        }

        void close() {
            if (parser != null) {
                try {
                    parser.close();
                } catch (IOException ignored) {
                    // a parser over a byte array holds nothing to release
                }
                parser = null;
            }
        }
    }
}
