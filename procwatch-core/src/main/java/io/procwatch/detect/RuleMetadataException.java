package io.procwatch.detect;

import java.util.List;

/** One or more detections whose DRL annotations are missing or invalid. */
public final class RuleMetadataException extends RuntimeException {

    private final List<String> problems;

    public RuleMetadataException(List<String> problems) {
        super(String.join("\n", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
