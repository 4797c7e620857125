package io.procwatch.read;

import java.io.IOException;
import java.io.Reader;

/**
 * Cuts a JSON text into top-level objects without parsing them: JSON lines, concatenated pretty-printed
 * objects (evtx_dump), or one array of objects. Tracks strings and nesting so braces inside command lines do
 * not confuse it.
 *
 * <p>Once the first object has started and ended on one line the input is taken as JSON lines, and from
 * then on an object still open at the end of its line is rejected alone instead of swallowing the lines after it.
 */
final class JsonRecordSplitter {

    /** Receives each object's text with the line it starts on, and unusable stretches of text. */
    interface Handler {
        void record(String json, long line);

        void garbage(long line, String reason);
    }

    static final int MAX_RECORD_CHARS = 16 * 1024 * 1024;

    private final Handler handler;
    private final StringBuilder record = new StringBuilder(2048);
    private long line;
    private long recordLine;
    private int depth;
    private boolean inString;
    private boolean escape;
    private boolean linesMode;
    private boolean decided;
    private long garbageLine = -1;
    /** Inside an object already rejected as too long: its structure is followed, its text not kept. */
    private boolean skipping;

    /** @param firstLine the line number of the first character fed (1 for a whole input) */
    JsonRecordSplitter(Handler handler, long firstLine) {
        this.handler = handler;
        this.line = firstLine;
    }

    void split(Reader in) throws IOException {
        char[] buf = new char[1 << 16];
        int n;
        boolean first = true;
        while ((n = in.read(buf)) > 0) {
            int i = 0;
            if (first && buf[0] == '\uFEFF') {
                i = 1;
            }
            first = false;
            for (; i < n; i++) {
                step(buf[i]);
            }
        }
        if (depth > 0) {
            handler.garbage(recordLine, "input ends inside a JSON object (unbalanced braces)");
        }
    }

    private void step(char c) {
        if (depth == 0) {
            if (c == '{') {
                depth = 1;
                skipping = false;
                record.setLength(0);
                record.append(c);
                recordLine = line;
            } else if (c == '\n') {
                line++;
            } else if (!(c == ' ' || c == '\t' || c == '\r' || c == ',' || c == '[' || c == ']')) {
                if (garbageLine != line) { // one rejection per line of stray text
                    garbageLine = line;
                    handler.garbage(line, "text outside any JSON object starting with '" + c + "'");
                }
            }
            return;
        }
        if (c == '\n') {
            line++;
            if (linesMode && (!inString || skipping)) {
                if (!skipping) {
                    handler.garbage(recordLine, "JSON object not closed at the end of its line");
                }
                depth = 0;
                inString = false;
                escape = false;
                skipping = false;
                return;
            }
        }
        if (!skipping) {
            record.append(c);
            if (record.length() > MAX_RECORD_CHARS) {
                // Checked inside strings too: a 300 MB string value must not be buffered before it ends.
                handler.garbage(recordLine, "JSON object longer than " + MAX_RECORD_CHARS + " characters; skipped");
                skipping = true;
                record.setLength(0);
                record.trimToSize();
            }
        }
        if (inString) {
            if (escape) {
                escape = false;
            } else if (c == '\\') {
                escape = true;
            } else if (c == '"') {
                inString = false;
            }
            return;
        }
        if (c == '"') {
            inString = true;
        } else if (c == '{' || c == '[') {
            depth++;
        } else if (c == '}' || c == ']') {
            depth--;
            if (depth == 0) {
                if (skipping) {
                    skipping = false;
                    return;
                }
                if (!decided) {
                    decided = true;
                    linesMode = recordLine == line;
                }
                handler.record(record.toString(), recordLine);
            }
        }
    }
}
