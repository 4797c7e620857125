package io.procwatch.sigma;

/** A Sigma rule that cannot be converted; {@link #reason()} is the report category, the message the detail. */
public final class SigmaException extends RuntimeException {

    private final String reason;

    public SigmaException(String reason, String detail) {
        super(detail);
        this.reason = reason;
    }

    /** Short category for the conversion report's counts. */
    public String reason() {
        return reason;
    }
}
