package io.procwatch.intake;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reads a list of inputs on several threads and hands what they produce over in input order: all of input 0's
 * items, then all of input 1's, and so on, exactly the sequence one thread reading the inputs one after the other
 * would produce. So whatever consumes them sees the same items in the same order whatever the thread count and
 * timing; only the reading overlaps.
 *
 * <p>Each thread claims the next unclaimed input (in order) and writes its items to that input's own bounded
 * channel; the consumer drains the channels in input order. Memory stays bounded: a thread waits when its input's
 * channel is full, and at most {@code lookahead} inputs are claimed ahead of the one being consumed. The input
 * being consumed is always claimed by a running thread, so the readers cannot block each other for good.
 *
 * <p>One consumer thread calls {@link #take()}; {@link #close()} stops the readers (a consumer that gives up early
 * must call it).
 *
 * @param <T> what a reader produces
 */
public final class InputOrderedReaders<T> implements AutoCloseable {

    /** Reads one input, handing its items on in order. */
    @FunctionalInterface
    public interface InputTask<T> {
        /**
         * @param input the input's index
         * @param out   where its items go; {@link Output#put} waits while the consumer is behind
         */
        void read(int input, Output<T> out) throws InterruptedException;
    }

    /** Where one input's items go. */
    @FunctionalInterface
    public interface Output<T> {
        void put(T item) throws InterruptedException;
    }

    /** A reader thread failed; {@link #getCause()} is what it threw. */
    public static final class ReaderFailedException extends RuntimeException {
        ReaderFailedException(int input, Throwable cause) {
            super("reading input " + input + " failed: " + cause, cause);
        }
    }

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final Object END = new Object();

    private record Failure(int input, Throwable cause) {
    }

    private final int inputs;
    private final int capacity;
    private final InputTask<T> task;
    private final List<BlockingQueue<Object>> channels;
    private final AtomicInteger nextClaim = new AtomicInteger();
    private final Semaphore lookahead;
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicLong readerCpuNanos = new AtomicLong();
    private int consuming;

    /**
     * @param inputs    how many inputs (indices 0 … inputs-1)
     * @param threads   reader threads; fewer are started when there are fewer inputs
     * @param capacity  items buffered per input channel
     * @param lookahead inputs that may be claimed ahead of the consumer (at least {@code threads})
     * @param name      thread name prefix
     * @param task      reads one input
     */
    public InputOrderedReaders(int inputs, int threads, int capacity, int lookahead, String name, InputTask<T> task) {
        if (threads < 1 || capacity < 1) {
            throw new IllegalArgumentException("threads and capacity must be at least 1");
        }
        this.inputs = inputs;
        this.capacity = capacity;
        this.task = task;
        this.channels = new ArrayList<>(java.util.Collections.nCopies(inputs, null));
        this.lookahead = new Semaphore(Math.max(lookahead, threads));
        int n = Math.min(threads, inputs);
        for (int i = 0; i < n; i++) {
            Thread t = new Thread(this::readLoop, name + "-" + (i + 1));
            t.setDaemon(true);
            this.threads.add(t);
        }
    }

    /** Starts the reader threads. */
    public InputOrderedReaders<T> start() {
        for (Thread t : threads) {
            t.start();
        }
        return this;
    }

    /** Reader threads started (at most one per input). */
    public int threadCount() {
        return threads.size();
    }

    private synchronized BlockingQueue<Object> channel(int input) {
        BlockingQueue<Object> c = channels.get(input);
        if (c == null) {
            c = new ArrayBlockingQueue<>(capacity);
            channels.set(input, c);
        }
        return c;
    }

    private synchronized void release(int input) {
        channels.set(input, null);
    }

    private void readLoop() {
        try {
            while (true) {
                lookahead.acquire();
                int input = nextClaim.getAndIncrement();
                if (input >= inputs) {
                    lookahead.release();
                    return;
                }
                BlockingQueue<Object> out = channel(input);
                try {
                    task.read(input, out::put);
                } catch (InterruptedException e) {
                    throw e;
                } catch (Throwable t) {
                    out.put(new Failure(input, t));
                    return;
                }
                out.put(END);
            }
        } catch (InterruptedException e) {
            // closed by the consumer: stop reading
        } finally {
            readerCpuNanos.addAndGet(THREADS.getCurrentThreadCpuTime());
        }
    }

    /**
     * The next item in input order, waiting for it to be read; null once every input is read to its end.
     *
     * @throws ReaderFailedException when the reading of the next input threw (the items before it were handed on)
     */
    public T take() throws InterruptedException {
        while (consuming < inputs) {
            Object o = channel(consuming).take();
            if (o == END) {
                release(consuming);
                consuming++;
                lookahead.release();
                continue;
            }
            if (o instanceof Failure f) {
                throw new ReaderFailedException(f.input(), f.cause());
            }
            @SuppressWarnings("unchecked")
            T item = (T) o;
            return item;
        }
        return null;
    }

    /** CPU time of the reader threads that have ended (all of them after {@link #close()}). */
    public long readerCpuNanos() {
        return readerCpuNanos.get();
    }

    /** Stops the readers (interrupting any still reading) and waits for them to end. */
    @Override
    public void close() throws InterruptedException {
        for (Thread t : threads) {
            if (t.isAlive()) {
                t.interrupt();
            }
        }
        for (Thread t : threads) {
            t.join();
        }
    }
}
