package io.procwatch.sigma;

import io.procwatch.normalize.ProcessEvent;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Called by converted Sigma filters: their condition (encoded as for {@link SigmaMatcher}), compiled once. */
public final class SigmaFilters {

    private static final Map<String, SigmaMatcher> COMPILED = new ConcurrentHashMap<>();

    private SigmaFilters() {
    }

    /** True when the event satisfies the filter's condition (the match stands). */
    public static boolean holds(String condition, ProcessEvent event) {
        return COMPILED.computeIfAbsent(condition, SigmaMatcher::parse).test(event);
    }
}
