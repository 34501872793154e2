package org.dmarcreporter.core.store;

/**
 * The store cannot take the batch right now (throttled, unreachable, or the request ran past
 * {@link org.dmarcreporter.core.window.WindowTiming#INGEST_DEADLINE}); the client should retry, with the same Idempotency-Key.
 */
public class StoreUnavailableException extends RuntimeException {

    public StoreUnavailableException(String message) {
        super(message);
    }

    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
