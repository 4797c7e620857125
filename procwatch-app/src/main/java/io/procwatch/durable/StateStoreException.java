package io.procwatch.durable;

/** The state store could not keep something (disk full, file unwritable, store failed); nothing of it was kept. */
public final class StateStoreException extends RuntimeException {

    public StateStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
