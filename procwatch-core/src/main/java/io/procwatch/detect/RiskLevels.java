package io.procwatch.detect;

import java.util.Locale;
import java.util.Map;

/**
 * The two scales that meet here: Sigma's {@code level} and Splunk's 0–100 risk score with its severity bands.
 * A Sigma level maps to the middle of the band that reads back as the same word, so
 * level → score → severity round-trips: informational 10, low 30, medium 50, high 70, critical 90.
 */
public final class RiskLevels {

    /** Sigma level → risk score. */
    public static final Map<String, Integer> LEVEL_SCORE = Map.of(
            "informational", 10, "low", 30, "medium", 50, "high", 70, "critical", 90);

    private RiskLevels() {
    }

    /** Severity of a score: ≤20 informational, ≤40 low, ≤60 medium, ≤80 high, else critical. */
    public static String severity(int score) {
        if (score <= 20) {
            return "informational";
        }
        if (score <= 40) {
            return "low";
        }
        if (score <= 60) {
            return "medium";
        }
        return score <= 80 ? "high" : "critical";
    }

    /** @throws IllegalArgumentException for a level Sigma does not define */
    public static int scoreOfLevel(String level) {
        Integer s = LEVEL_SCORE.get(level.trim().toLowerCase(Locale.ROOT));
        if (s == null) {
            throw new IllegalArgumentException("unknown level '" + level + "' (expected one of " + LEVEL_SCORE.keySet() + ")");
        }
        return s;
    }
}
