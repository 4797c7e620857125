package io.procwatch.cli;

import io.procwatch.detect.RuleSet;
import io.procwatch.sigma.SigmaRuntime;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the bounded regular expressions of a rule set's Sigma rules did in a scan: how many patterns exceeded their
 * step budget and moved to the linear-time engine (RE2/J), and which rules were disabled because a pattern RE2/J
 * cannot run exceeded it. Null-safe: a rule set without Sigma rules has nothing to report.
 */
final class SigmaRegexReport {

    private SigmaRegexReport() {
    }

    /** One stderr line per disabled rule; none when nothing was disabled. */
    static List<String> lines(RuleSet rules) {
        SigmaRuntime sigma = SigmaRuntime.of(rules);
        if (sigma == null) {
            return List.of();
        }
        return sigma.regexes().disabledRules().stream()
                .map(id -> "procwatch: Sigma rule " + id + " disabled: a regular expression exceeded its step budget "
                        + "(catastrophic backtracking) and RE2/J cannot run it; its later events were not matched")
                .toList();
    }

    /** For {@code --stats}, or null without Sigma rules. */
    static Map<String, Object> json(RuleSet rules) {
        SigmaRuntime sigma = SigmaRuntime.of(rules);
        if (sigma == null) {
            return null;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("patterns_moved_to_linear_engine", sigma.regexes().switchedToLinear());
        m.put("rules_disabled", sigma.regexes().disabledRules());
        return m;
    }
}
