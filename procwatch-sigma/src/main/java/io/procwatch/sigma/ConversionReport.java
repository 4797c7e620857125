package io.procwatch.sigma;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** What a conversion run produced: the converted rules and every rule that was not, with its reason. */
public final class ConversionReport {

    /** A rule that was not converted. */
    public record Failure(Path source, String id, String title, String reason, String detail) {
    }

    /**
     * A converted correlation: the rules it names (as ids) and its {@code generate} flag (false unless the rule
     * says {@code generate: true}).
     */
    public record Correlation(String id, String title, List<String> rules, boolean generate) {
    }

    private final List<SigmaConverter.Converted> converted = new ArrayList<>();
    private final List<Failure> failures = new ArrayList<>();
    private final List<Correlation> correlations = new ArrayList<>();
    private final List<String> derivedIds = new ArrayList<>();

    void derivedId(Path source, String title, String id) {
        derivedIds.add(String.format("  derived id %s for %s (%s): the rule has no id%n", id, source, title));
    }

    /** One line per rule that had no id, with the stable id derived for it. */
    public List<String> derivedIds() {
        return List.copyOf(derivedIds);
    }

    void converted(SigmaConverter.Converted c) {
        converted.add(c);
    }

    void failed(Failure f) {
        failures.add(f);
    }

    public List<SigmaConverter.Converted> converted() {
        return converted;
    }

    public List<Failure> failures() {
        return failures;
    }

    void correlation(Correlation c) {
        correlations.add(c);
    }

    /** The converted correlations, in conversion order. */
    public List<Correlation> correlations() {
        return correlations;
    }

    /**
     * The rules whose own notables the correlations turn off (Sigma's {@code generate}, false by default), each
     * with the correlations naming it; see {@link SigmaCorrelations#withoutOwnNotables}.
     */
    public Map<String, List<String>> withoutOwnNotables() {
        return SigmaCorrelations.withoutOwnNotables(correlations);
    }

    /** Failures counted per reason, most frequent first in {@link #toText()}. */
    public Map<String, Integer> reasons() {
        Map<String, Integer> m = new TreeMap<>();
        failures.forEach(f -> m.merge(f.reason(), 1, Integer::sum));
        return m;
    }

    public long sysmonOnlyCount() {
        return converted.stream().filter(SigmaCandidateFree::sysmonOnly).count();
    }

    public long unguardedCount() {
        return converted.stream().filter(c -> !c.guarded()).count();
    }

    /** The report as text: totals, reasons with counts, then each failure. */
    public String toText() {
        StringBuilder sb = new StringBuilder();
        int total = converted.size() + failures.size();
        sb.append(String.format("Sigma conversion: %d rules, %d converted (%d Sysmon-only, %d without prefilter guard), %d not converted%n",
                total, converted.size(), sysmonOnlyCount(), unguardedCount(), failures.size()));
        reasons().entrySet().stream().sorted((a, b) -> b.getValue() - a.getValue())
                .forEach(e -> sb.append(String.format("  %5d  %s%n", e.getValue(), e.getKey())));
        Map<String, List<String>> off = withoutOwnNotables();
        if (!off.isEmpty()) {
            sb.append(String.format("  %s no notables of their own: only the correlations naming them"
                    + " (no generate: true); their matches still feed the correlations%n",
                    off.size() == 1 ? "1 rule raises" : off.size() + " rules raise"));
            Map<String, String> titles = new TreeMap<>();
            converted.forEach(c -> titles.put(c.id(), c.title()));
            off.forEach((rule, by) -> sb.append(String.format("  no own notables %s (%s): correlation %s%n", rule,
                    titles.getOrDefault(rule, "not among these rules"), String.join(", ", by))));
        }
        for (Failure f : failures) {
            sb.append(String.format("  - %s%s: %s (%s)%n", f.source(), f.id() == null ? "" : " [" + f.id() + "]",
                    f.reason(), f.detail()));
        }
        derivedIds.forEach(sb::append);
        for (SigmaConverter.Converted c : converted) {
            if (c.sysmonOnly()) {
                sb.append(String.format("  sysmon-only %s [%s]: %s%n", c.fileName(), c.id(), String.join(", ", c.sysmonOnlyFields())));
            }
        }
        return sb.toString();
    }

    /** Helper for method references. */
    private static final class SigmaCandidateFree {
        static boolean sysmonOnly(SigmaConverter.Converted c) {
            return c.sysmonOnly();
        }
    }
}
