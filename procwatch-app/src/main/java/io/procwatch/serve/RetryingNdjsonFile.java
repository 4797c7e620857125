package io.procwatch.serve;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The {@code --out} file of {@code serve} and {@code scan}, written so that a failing disk (full, read-only, gone)
 * loses nothing it can keep: each record (an NDJSON line, a CSV row, the table) is written whole with one call; a
 * write that fails part-way is cut back to the end of the last whole record (no torn line glued to the next
 * notable); the records that could not be written wait in a bounded buffer (in order) and are written again, by a
 * retry thread every second and before every new record, reopening the file each time (a replaced file or
 * remounted disk is picked up). Beyond the buffer's bound the newest records are dropped, counted and reported.
 * Opened for append, a last line without its line end (the process was killed in the middle of writing it) is cut
 * off first, so the next record does not continue it.
 */
public final class RetryingNdjsonFile implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RetryingNdjsonFile.class);

    private final Path path;
    private final long maxPendingBytes;
    /** Told, as one line each, when writing starts failing, works again, and when records are dropped. */
    private final Consumer<String> notices;
    /** What the records are, for the notices ("notables", "risk events"). */
    private final String what;
    private final ArrayDeque<byte[]> pending = new ArrayDeque<>();   // guarded by this
    private long pendingBytes;                                        // guarded by this
    private FileChannel channel;                                      // guarded by this; null after a failure
    private String lastError;                                         // guarded by this
    private final Thread retry;
    private volatile boolean closed;
    /** The file's last whole line when it was opened for append (without its line end), or null. */
    private String lastLineAtOpen;
    final AtomicLong written = new AtomicLong();
    final AtomicLong failures = new AtomicLong();
    final AtomicLong dropped = new AtomicLong();
    /** Records that could not be written when they came (written later, or dropped). */
    private final AtomicLong delayed = new AtomicLong();

    /** Opens (creating) {@code path} for append; fails at once if it cannot, as the service should not start. */
    RetryingNdjsonFile(Path path, long maxPendingBytes) throws IOException {
        this(path, maxPendingBytes, true, LOG::warn);
    }

    /**
     * Opens (creating) {@code path}; fails at once if it cannot.
     *
     * @param append          append to what the file holds, else truncate it first
     * @param maxPendingBytes most bytes of records kept while the file cannot be written
     * @param notices         told each change of state (failing, writable again, dropping), one line each
     */
    public RetryingNdjsonFile(Path path, long maxPendingBytes, boolean append, Consumer<String> notices)
            throws IOException {
        this(path, maxPendingBytes, append, notices, "notables");
    }

    /** {@link #RetryingNdjsonFile(Path, long, boolean, Consumer)} of records the notices call {@code what}. */
    public RetryingNdjsonFile(Path path, long maxPendingBytes, boolean append, Consumer<String> notices, String what)
            throws IOException {
        this.path = path;
        this.what = what;
        this.maxPendingBytes = maxPendingBytes;
        this.notices = notices;
        Path parent = path.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        if (!append) {
            FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING).close();
        }
        this.channel = open();
        if (append) {
            cutTornLine();
        }
        this.retry = new Thread(this::retryLoop, "procwatch-out-retry");
        retry.setDaemon(true);
        retry.start();
    }

    /**
     * Cuts a last line that has no line end: what a process killed in the middle of writing a record left (its
     * record was not complete, so whoever kept it writes it again, whole); then keeps the last whole line
     * ({@link #lastLineAtOpen}).
     */
    private void cutTornLine() throws IOException {
        if (!Files.isRegularFile(path)) {
            return;
        }
        try (FileChannel rw = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long size = rw.size();
            long end = lineStart(rw, size);
            if (end < size) {
                rw.truncate(end);
                notices.accept(path + ": cut " + (size - end) + " bytes of a last line left without its end (the"
                        + " process was stopped while writing it)");
            }
            if (end > 0) {
                long start = lineStart(rw, end - 1);
                ByteBuffer line = ByteBuffer.allocate((int) (end - 1 - start));
                while (line.hasRemaining() && rw.read(line, start + line.position()) > 0) {
                    // a regular file reads whole
                }
                lastLineAtOpen = new String(line.array(), StandardCharsets.UTF_8);
            }
        }
    }

    /** Where the line holding the byte before {@code pos} starts: just after the last line end before it, or 0. */
    private static long lineStart(FileChannel rw, long pos) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(8192);
        long end = pos;
        while (end > 0) {
            int n = (int) Math.min(b.capacity(), end);
            b.clear().limit(n);
            while (b.hasRemaining() && rw.read(b, end - n + b.position()) > 0) {
                // a regular file reads whole
            }
            for (int i = n - 1; i >= 0; i--) {
                if (b.get(i) == '\n') {
                    return end - n + i + 1;
                }
            }
            end -= n;
        }
        return 0;
    }

    /**
     * The file's last whole line when it was opened for append, without its line end (null: empty or truncated):
     * after a kill, the record written last, which its keeper may not have recorded as written.
     */
    public String lastLineAtOpen() {
        return lastLineAtOpen;
    }

    private FileChannel open() throws IOException {
        return FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
    }

    /** Appends one line (without its newline); kept for a retry when it cannot be written now. */
    void append(String json) {
        appendRecord(json + "\n");
    }

    /**
     * Appends one record, written whole or not at all (its own line ends included); kept for a retry when it cannot
     * be written now.
     */
    public synchronized void appendRecord(String text) {
        byte[] line = text.getBytes(StandardCharsets.UTF_8);
        if (pendingBytes + line.length > maxPendingBytes) {
            flushPending();
            if (pendingBytes + line.length > maxPendingBytes) {
                if (dropped.getAndIncrement() == 0) {
                    notices.accept(path + ": " + pendingBytes + " bytes of " + what + " wait for the disk already; "
                            + "dropping newer ones (" + lastError + ")");
                }
                delayed.incrementAndGet();
                return;
            }
        }
        pending.addLast(line);
        pendingBytes += line.length;
        flushPending();
        if (!pending.isEmpty()) {
            delayed.incrementAndGet();
        }
    }

    /**
     * Waits up to {@code patience} for every kept record to be written (the retry thread tries every second).
     *
     * @return true when nothing is left waiting
     */
    public boolean awaitWritten(java.time.Duration patience) throws InterruptedException {
        long until = System.nanoTime() + patience.toNanos();
        while (true) {
            synchronized (this) {
                flushPending();
                if (pending.isEmpty()) {
                    return true;
                }
            }
            long left = until - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            Thread.sleep(Math.min(250, left / 1_000_000 + 1));
        }
    }

    /**
     * Writes one line now if it can (after what waits), without keeping it when it cannot: for a caller that keeps
     * it itself (the durable outbox).
     *
     * @return true when the whole line was written
     */
    public synchronized boolean tryAppend(String json) {
        flushPending();
        if (!pending.isEmpty()) {
            return false;
        }
        if (writeLine((json + "\n").getBytes(StandardCharsets.UTF_8))) {
            written.incrementAndGet();
            return true;
        }
        return false;
    }

    /** Writes what waits, in order, until the first failure. */
    private void flushPending() {
        while (!pending.isEmpty()) {
            byte[] line = pending.peekFirst();
            if (!writeLine(line)) {
                return;
            }
            pending.removeFirst();
            pendingBytes -= line.length;
            written.incrementAndGet();
        }
    }

    private boolean writeLine(byte[] line) {
        long before = -1;
        try {
            if (channel == null) {
                channel = open();
            }
            before = channel.size();
            ByteBuffer b = ByteBuffer.wrap(line);
            while (b.hasRemaining()) {
                channel.write(b);
            }
            if (lastError != null) {
                notices.accept(path + ": writable again; writing the " + pending.size() + " " + what + " kept");
            }
            lastError = null;
            return true;
        } catch (IOException e) {
            failures.incrementAndGet();
            if (lastError == null) {
                notices.accept(path + ": cannot write " + what + " (" + ProcwatchServer.reason(e)
                        + "); keeping them and retrying every second");
            }
            lastError = ProcwatchServer.reason(e);
            cutBack(before);
            return false;
        }
    }

    /** Removes the part of a line a failed write left behind, then drops the channel to reopen it later. */
    private void cutBack(long size) {
        if (channel == null) {
            return;
        }
        try {
            if (size >= 0 && channel.size() > size) {
                channel.truncate(size);
            }
        } catch (IOException e) {
            LOG.error("{}: cannot remove a partly written line ({})", path, ProcwatchServer.reason(e));
        }
        try {
            channel.close();
        } catch (IOException ignored) {
            // reopened on the next attempt
        }
        channel = null;
    }

    private void retryLoop() {
        while (!closed) {
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                return;
            }
            synchronized (this) {
                if (!pending.isEmpty()) {
                    flushPending();
                }
            }
        }
    }

    /** Records waiting for the file to become writable. */
    public synchronized int pendingLines() {
        return pending.size();
    }

    /** Failed write attempts (each retried). */
    public long failures() {
        return failures.get();
    }

    /** Records lost: the buffer was full, or the file was closed before they could be written. */
    public long dropped() {
        return dropped.get();
    }

    /** Records that could not be written when they came (written later, or dropped). */
    public long delayed() {
        return delayed.get();
    }

    /** The last write failure's reason while the file is failing, else null. */
    public synchronized String lastError() {
        return lastError;
    }

    /** For {@code /health}: the file's state. */
    synchronized void health(Map<String, Object> h) {
        Map<String, Object> o = new java.util.LinkedHashMap<>();
        o.put("path", path.toString());
        o.put("status", pending.isEmpty() ? "ok" : "failing");
        o.put("pendingNotables", pending.size());
        o.put("droppedNotables", dropped.get());
        if (lastError != null) {
            o.put("lastError", lastError);
        }
        h.put("out", o);
    }

    /** A last attempt to write what waits, then closes; what still cannot be written is reported as lost. */
    @Override
    public synchronized void close() {
        closed = true;
        retry.interrupt();
        flushPending();
        if (!pending.isEmpty()) {
            dropped.addAndGet(pending.size());
            notices.accept(path + ": " + pending.size() + " " + what + " could not be written before closing ("
                    + lastError + "); lost");
            pending.clear();
            pendingBytes = 0;
        }
        try {
            if (channel != null) {
                if (Files.isRegularFile(path)) {
                    channel.force(false);   // a pipe or device (-o /dev/stdout, >(…)) cannot be synced
                }
                channel.close();
            }
        } catch (IOException e) {
            LOG.error("{}: closing: {}", path, ProcwatchServer.reason(e));
        }
    }
}
