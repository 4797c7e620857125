package io.procwatch.engine;

/**
 * A budget of bytes that submitting threads take and the session thread gives back: the engine queue's bound in
 * bytes beside its bound in events, so a few very large events cannot exhaust the heap. One submission larger
 * than the whole budget is let in when nothing else is held (it could never fit otherwise).
 */
final class ByteGate {

    private final long capacity;
    private long held;  // guarded by this

    ByteGate(long capacity) {
        this.capacity = capacity;
    }

    synchronized boolean tryTake(long n) {
        if (held > 0 && held + n > capacity) {
            return false;
        }
        held += n;
        return true;
    }

    /** Takes {@code n} bytes, waiting up to {@code timeoutMillis} for room; false if there was none. */
    synchronized boolean take(long n, long timeoutMillis) {
        long until = System.currentTimeMillis() + timeoutMillis;
        while (held > 0 && held + n > capacity) {
            long wait = until - System.currentTimeMillis();
            if (wait <= 0) {
                return false;
            }
            try {
                wait(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        held += n;
        return true;
    }

    synchronized void release(long n) {
        held = Math.max(0, held - n);
        notifyAll();
    }

    synchronized long held() {
        return held;
    }

    long capacity() {
        return capacity;
    }
}
