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
        // Fast path: find the '\n'. A line of at most maxChars bytes has at most maxChars characters, so characters
        // are only counted (byte by byte, below) for a line longer than that in bytes.
        int scanned = pos;
        while (true) {
            int nl = -1;
            for (int i = scanned; i < end; i++) {
                if (buf[i] == '\n') {
                    nl = i;
                    break;
                }
            }
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
