package io.procwatch.detect;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What an analyst selects and pivots on besides the risk attributes: the rule's level, status and tags, read
 * from its DRL annotations ({@code @level}, {@code @status}, {@code @mitre}, {@code @tactics}, {@code @tags}).
 *
 * @param level  {@code @level}, else the severity of the risk score ({@link RiskLevels#severity})
 * @param status {@code @status} (Sigma: stable, test, experimental, deprecated, unsupported), "" when absent
 * @param tags   ATT&amp;CK technique ids as written in {@code @mitre}, then {@code attack.<tactic>} of each
 *               {@code @tactics} entry, then {@code @tags} as written
 * @param sigma  true for a converted Sigma rule or correlation ({@code @sigmaRule} / {@code @sigmaCorrelation})
 */
public record RuleLabels(String level, String status, List<String> tags, boolean sigma) {

    /** Levels from least to most severe. */
    public static final List<String> LEVELS = List.of("informational", "low", "medium", "high", "critical");

    /** Labels of a rule without annotations beyond its score. */
    public static RuleLabels ofScore(int riskScore) {
        return new RuleLabels(RiskLevels.severity(riskScore), "", List.of(), false);
    }

    /** Reads the labels from a rule's metadata map. */
    static RuleLabels of(Map<String, ?> md, int riskScore) {
        Object level = md.get("level");
        String lv = level == null || level.toString().isBlank()
                ? RiskLevels.severity(riskScore) : level.toString().strip().toLowerCase(Locale.ROOT);
        Object status = md.get("status");
        List<String> tags = new ArrayList<>();
        for (String t : RuleMetadata.list(text(md, "mitre"))) {
            tags.add(t);
        }
        for (String t : RuleMetadata.list(text(md, "tactics"))) {
            tags.add("attack." + t);
        }
        for (String t : RuleMetadata.list(text(md, "tags"))) {
            tags.add(t);
        }
        boolean sigma = md.containsKey("sigmaRule") || md.containsKey("sigmaCorrelation");
        return new RuleLabels(lv, status == null ? "" : status.toString().strip().toLowerCase(Locale.ROOT),
                List.copyOf(tags), sigma);
    }

    private static String text(Map<String, ?> md, String key) {
        Object v = md.get(key);
        return v == null ? "" : v.toString();
    }

    /** The level's rank in {@link #LEVELS} (an unknown level ranks as medium). */
    public int levelRank() {
        return rank(level);
    }

    /** Rank of a level name in {@link #LEVELS}; -1 when it is not one. */
    public static int rankOf(String level) {
        return LEVELS.indexOf(level.strip().toLowerCase(Locale.ROOT));
    }

    private static int rank(String level) {
        int r = rankOf(level);
        return r < 0 ? 2 : r;
    }

    /**
     * True when one of the tags is {@code query}, compared as Sigma tags and ATT&amp;CK ids are written in
     * either form: case-insensitive, without the {@code attack.} prefix, {@code _} and {@code -} alike
     * ({@code T1090}, {@code attack.t1090}, {@code attack.command_and_control}, {@code command-and-control}).
     * A technique query also selects its sub-techniques ({@code T1564} selects {@code T1564.006}).
     */
    public boolean hasTag(String query) {
        String q = normal(query);
        for (String t : tags) {
            String n = normal(t);
            if (n.equals(q) || n.startsWith(q + ".") && q.matches("t\\d{4}")) {
                return true;
            }
        }
        return false;
    }

    private static String normal(String tag) {
        String t = tag.strip().toLowerCase(Locale.ROOT).replace('_', '-');
        return t.startsWith("attack.") ? t.substring(7) : t;
    }
}
