package io.procwatch;

import io.procwatch.detect.RuleSet;

import java.nio.file.Path;

/** The project's rules-drl/, compiled once per test JVM (an MVEL build takes a second or two). */
public final class TestRules {

    public static final String SPLUNK_ID = "c4c0a2d4-0675-4fde-97b7-115145ba257c";
    public static final String SIGMA_ID = "5fc297ae-25b6-488a-8f25-cc12ac29b744";

    private static RuleSet rules;

    private TestRules() {
    }

    public static synchronized RuleSet rulesDrl() {
        if (rules == null) {
            try {
                rules = RuleSet.fromDirectory(Path.of("rules-drl"));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        return rules;
    }
}
