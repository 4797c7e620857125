package io.procwatch.engine;

/**
 * The engine's queue stayed full for the whole submit timeout: the session thread is behind. Nothing of the
 * submission was queued; retry later (the HTTP service answers 503 with {@code Retry-After}).
 */
public final class EngineBusyException extends RuntimeException {

    public EngineBusyException(String message) {
        super(message);
    }
}
