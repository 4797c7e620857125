package io.procwatch.read;

import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Lines of UTF-8 text as bytes, not yet decoded: JSON lines whose event is decided from their head (most OTRF
 * records are not process creations) are then never turned into characters. Lines end as for
 * {@link BoundedLineReader} ({@code \n} or {@code \r\n}), and a line longer than {@code maxChars} UTF-16 characters
 * is cut there and the rest read past without being kept ({@link #overLong()}), counted as that reader counts it
 * for well-formed UTF-8 (the kept start of such a line ends before a character the limit splits; nobody reads it).
 *
 * <p>After {@link #next()} the line is {@link #buffer()}[{@link #start()} … {@link #start()} + {@link #length()}),
 * valid until the next call.
 */
final class Utf8LineReader {

    private final InputStream in;
    private final int maxChars;
    private byte[] buf = new byte[1 << 16];
    private int pos;
    private int end;
    private boolean eof;
    private int lineStart;
    private int lineLength;
    private boolean overLong;
    private int noBreakBefore; // buf[pos, noBreakBefore) holds no '\n' (known from nextBlock's last search)
    private long skipped;

    Utf8LineReader(InputStream in, int maxChars) {
        this.in = in;
        this.maxChars = maxChars;
    }

    int maxChars() {
        return maxChars;
    }

    byte[] buffer() {
        return buf;
    }

    int start() {
        return lineStart;
    }

    int length() {
        return lineLength;
    }

    /** True when the last line was longer than the limit (the line holds its start). */
    boolean overLong() {
        return overLong;
    }

    /** Characters of the last over-long line beyond the limit. */
    long skipped() {
        return skipped;
    }

    /** The line decoded (malformed bytes become U+FFFD, as an {@code InputStreamReader} decodes them). */
    String text() {
        return new String(buf, lineStart, lineLength, StandardCharsets.UTF_8);
    }

    /** Reads the next line; false at the end of the input. */
    boolean next() throws IOException {
        overLong = false;
        skipped = 0;
        noBreakBefore = 0; // an over-long line drops bytes from the buffer: nextBlock searches afresh
        // Fast path: find the '\n'. A line of at most maxChars bytes has at most maxChars characters, so characters
        // are only counted (byte by byte, below) for a line longer than that in bytes.
        int scanned = pos;
        while (true) {
            int nl = Bytes.indexOf(buf, (byte) '\n', scanned, end);
            if ((nl >= 0 ? nl : end) - pos > maxChars) {
                return nextCounted();
            }
            if (nl >= 0) {
                finish(nl, true);
                pos = nl + 1;
                return true;
            }
            compact();
            scanned = end;
            if (!fill()) {
                if (pos == end) {
                    return false;
                }
                finish(end, true);
                pos = end;
                return true;
            }
        }
    }

    /**
     * Takes all the complete lines the buffer holds as one run, {@link #buffer()}[{@link #start()} …
     * {@link #start()} + {@link #length()}), line breaks included (it ends with {@code \n}). Reads input only while
     * the buffer holds no complete line, as {@link #next()} would, so a live stream's lines are never held back.
     * False, taking nothing, at the end of the input, when the buffer fills without a line break, or when the run
     * would be longer than the limit (then a line may be over-long): {@link #next()} reads the next line.
     */
    boolean nextBlock() throws IOException {
        overLong = false;
        skipped = 0;
        int from = Math.max(pos, noBreakBefore);
        while (true) {
            for (int i = end - 1; i >= from; i--) {
                if (buf[i] == '\n') {
                    if (i + 1 - pos > maxChars) {
                        return false;
                    }
                    lineStart = pos;
                    lineLength = i + 1 - pos;
                    pos = i + 1;
                    noBreakBefore = end;
                    return true;
                }
            }
            from = end;
            // The unfinished line stays where it is until the buffer is full: moved once per buffer, not per run.
            if (end == buf.length) {
                if (pos == 0) {
                    return false;
                }
                from -= pos;
                compact();
            }
            if (!fill()) {
                return false;
            }
        }
    }

    /** {@link #next()} for a line longer than the limit in bytes: counts its UTF-16 characters from its start. */
    private boolean nextCounted() throws IOException {
        int scanned = pos; // bytes before this index hold no '\n'
        long chars = 0;    // UTF-16 characters of the line so far (kept part)
        int keptEnd = -1;  // end of the kept part once over-long
        while (true) {
            int nl = -1;
            for (int i = scanned; i < end; i++) {
                byte b = buf[i];
                if (b == '\n') {
                    nl = i;
                    break;
                }
                if (keptEnd < 0) {
                    int units = (b & 0xC0) != 0x80 ? ((b & 0xF8) == 0xF0 ? 2 : 1) : 0;
                    if (chars + units > maxChars) {
                        overLong = true;
                        keptEnd = i;
                        skipped += chars + units - maxChars; // a pair split by the limit: its low half
                    } else {
                        chars += units;
                    }
                } else {
                    skipped += (b & 0xC0) != 0x80 ? ((b & 0xF8) == 0xF0 ? 2 : 1) : 0;
                }
            }
            if (nl >= 0) {
                finish(keptEnd >= 0 ? keptEnd : nl, !overLong);
                pos = nl + 1;
                return true;
            }
            scanned = end;
            if (keptEnd >= 0) {
                // Drop what is past the limit: keep only the line's kept part in the buffer.
                end = keptEnd;
                scanned = end;
            }
            int shift = pos;
            compact();
            scanned -= shift;
            if (keptEnd >= 0) {
                keptEnd -= shift;
            }
            if (!fill()) {
                if (pos == end && keptEnd < 0) {
                    return false;
                }
                finish(keptEnd >= 0 ? keptEnd : end, !overLong);
                pos = end;
                return true;
            }
        }
    }

    private void finish(int lineEnd, boolean stripCr) {
        lineStart = pos;
        lineLength = lineEnd - pos;
        if (stripCr && lineLength > 0 && buf[lineEnd - 1] == '\r') {
            lineLength--;
        }
    }

    /** Moves the current line to the front of the buffer. */
    private void compact() {
        if (pos > 0) {
            noBreakBefore = Math.max(0, noBreakBefore - pos);
            System.arraycopy(buf, pos, buf, 0, end - pos);
            end -= pos;
            pos = 0;
        }
    }

    /** Reads more bytes after {@code end}, growing the buffer when it is full. */
    private boolean fill() throws IOException {
        if (eof) {
            return false;
        }
        if (end == buf.length) {
            buf = Arrays.copyOf(buf, buf.length * 2);
        }
        int n = in.read(buf, end, buf.length - end);
        if (n <= 0) {
            eof = true;
            return false;
        }
        end += n;
        return true;
    }

    /** The bytes not yet returned as lines, then the rest of the input: for a reader that stops reading lines. */
    InputStream rest() {
        byte[] left = Arrays.copyOfRange(buf, pos, end);
        pos = end;
        return new SequenceInputStream(new java.io.ByteArrayInputStream(left), eof ? InputStream.nullInputStream() : in);
    }
}
