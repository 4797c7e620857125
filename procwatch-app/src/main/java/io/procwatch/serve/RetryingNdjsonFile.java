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

/**
 * The {@code --out} NDJSON file of {@code serve}, written so that a failing disk (full, read-only, gone) loses
 * nothing it can keep: each notable is one whole line written with one call; a write that fails part-way is cut
 * back to the last whole line (no torn line glued to the next notable); the lines that could not be written wait
 * in a bounded buffer (in order) and are written again, by a retry thread every second and before every new line,
 * reopening the file each time (a replaced file or remounted disk is picked up). Beyond the buffer's bound the
 * newest lines are dropped, counted and logged.
 */
final class RetryingNdjsonFile implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RetryingNdjsonFile.class);

    private final Path path;
    private final long maxPendingBytes;
    private final ArrayDeque<byte[]> pending = new ArrayDeque<>();   // guarded by this
    private long pendingBytes;                                        // guarded by this
    private FileChannel channel;                                      // guarded by this; null after a failure
    private String lastError;                                         // guarded by this
    private final Thread retry;
    private volatile boolean closed;
    final AtomicLong written = new AtomicLong();
    final AtomicLong failures = new AtomicLong();
    final AtomicLong dropped = new AtomicLong();

    /** Opens (creating) {@code path} for append; fails at once if it cannot, as the service should not start. */
    RetryingNdjsonFile(Path path, long maxPendingBytes) throws IOException {
        this.path = path;
        this.maxPendingBytes = maxPendingBytes;
        Path parent = path.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        this.channel = open();
        this.retry = new Thread(this::retryLoop, "procwatch-out-retry");
        retry.setDaemon(true);
        retry.start();
    }

    private FileChannel open() throws IOException {
        return FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
    }

    /** Appends one line (without its newline); kept for a retry when it cannot be written now. */
    synchronized void append(String json) {
        byte[] line = (json + "\n").getBytes(StandardCharsets.UTF_8);
        if (pendingBytes + line.length > maxPendingBytes) {
            flushPending();
            if (pendingBytes + line.length > maxPendingBytes) {
                dropped.incrementAndGet();
                LOG.error("{}: {} bytes of notables wait for the disk already; one more dropped ({})", path,
                        pendingBytes, lastError);
                return;
            }
        }
        pending.addLast(line);
        pendingBytes += line.length;
        flushPending();
    }

    /**
     * Writes one line now if it can (after what waits), without keeping it when it cannot: for a caller that keeps
     * it itself (the durable outbox).
     *
     * @return true when the whole line was written
     */
    synchronized boolean tryAppend(String json) {
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
                LOG.info("{}: writable again; writing {} waiting notables", path, pending.size());
            }
            before = channel.size();
            ByteBuffer b = ByteBuffer.wrap(line);
            while (b.hasRemaining()) {
                channel.write(b);
            }
            lastError = null;
            return true;
        } catch (IOException e) {
            failures.incrementAndGet();
            if (lastError == null) {
                LOG.error("{}: cannot write notables ({}); keeping them and retrying every second", path,
                        ProcwatchServer.reason(e));
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

    synchronized int pendingLines() {
        return pending.size();
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

    /** A last attempt to write what waits, then closes; what still cannot be written is logged as lost. */
    @Override
    public synchronized void close() {
        closed = true;
        retry.interrupt();
        flushPending();
        if (!pending.isEmpty()) {
            dropped.addAndGet(pending.size());
            LOG.error("{}: {} notables could not be written before shutdown ({})", path, pending.size(), lastError);
            pending.clear();
        }
        try {
            if (channel != null) {
                channel.force(false);
                channel.close();
            }
        } catch (IOException e) {
            LOG.error("{}: closing: {}", path, ProcwatchServer.reason(e));
        }
    }
}
