package io.procwatch.serve;

import java.util.concurrent.atomic.AtomicLong;

/** Body bytes all ingest requests together may hold at once (received, not yet parsed and queued). */
final class BodyBudget {

    private final long limit;
    private final AtomicLong held = new AtomicLong();

    BodyBudget(long limit) {
        this.limit = limit;
    }

    /** Takes {@code n} bytes if they fit; never waits. */
    boolean tryTake(long n) {
        while (true) {
            long h = held.get();
            if (h + n > limit) {
                return false;
            }
            if (held.compareAndSet(h, h + n)) {
                return true;
            }
        }
    }

    void release(long n) {
        held.addAndGet(-n);
    }

    long held() {
        return held.get();
    }

    long limit() {
        return limit;
    }
}
