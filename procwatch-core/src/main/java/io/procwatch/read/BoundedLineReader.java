package io.procwatch.read;

import java.io.IOException;
import java.io.Reader;

/**
 * Reads lines like {@link java.io.BufferedReader#readLine()} but never holds more than {@code maxChars} of one:
 * the rest of a longer line is read past without being kept, and {@link #overLong()} says so, so that a reader can
 * reject that line with its number and go on (a 3 GB line costs time, not memory). Also a {@link Reader} of the
 * remaining characters, for readers that switch from lines to a character stream.
 */
final class BoundedLineReader extends Reader {

    private final Reader in;
    private final int maxChars;
    private final char[] buf = new char[1 << 16];
    private int pos;
    private int end;
    private boolean overLong;
    private long skipped;

    BoundedLineReader(Reader in, int maxChars) {
        this.in = in;
        this.maxChars = maxChars;
    }

    int maxChars() {
        return maxChars;
    }

    /** True when the line {@link #readLine()} returned last was longer than the limit (it returned its start). */
    boolean overLong() {
        return overLong;
    }

    /** Characters of the last over-long line beyond the limit (read and dropped). */
    long skipped() {
        return skipped;
    }

    private boolean fill() throws IOException {
        int n = in.read(buf, 0, buf.length);
        if (n <= 0) {
            return false;
        }
        pos = 0;
        end = n;
        return true;
    }

    /**
     * The next line without its terminator ({@code \n} or {@code \r\n}), or null at the end. Of an over-long line,
     * its first {@code maxChars} characters.
     */
    String readLine() throws IOException {
        overLong = false;
        skipped = 0;
        StringBuilder sb = null;
        while (true) {
            if (pos >= end && !fill()) {
                return sb == null ? null : finish(sb);
            }
            int start = pos;
            while (pos < end && buf[pos] != '\n') {
                pos++;
            }
            int len = pos - start;
            if (sb == null) {
                sb = new StringBuilder(Math.min(Math.max(len, 80), maxChars));
            }
            int room = maxChars - sb.length();
            if (len <= room) {
                sb.append(buf, start, len);
            } else {
                sb.append(buf, start, Math.max(0, room));
                overLong = true;
                skipped += len - Math.max(0, room);
            }
            if (pos < end) {
                pos++;   // the '\n'
                return finish(sb);
            }
        }
    }

    private String finish(StringBuilder sb) {
        int n = sb.length();
        if (!overLong && n > 0 && sb.charAt(n - 1) == '\r') {
            sb.setLength(n - 1);
        }
        return sb.toString();
    }

    @Override
    public int read(char[] cbuf, int off, int len) throws IOException {
        if (pos >= end && !fill()) {
            return -1;
        }
        int n = Math.min(len, end - pos);
        System.arraycopy(buf, pos, cbuf, off, n);
        pos += n;
        return n;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
