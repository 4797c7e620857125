package io.procwatch.detect;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A risk incident rule's settings, read from its DRL annotations by {@link RuleCatalog} and inserted into every
 * session as a fact, so the rule's conditions compare against them ({@code total > $r.scoreAbove}): a rule engineer
 * edits thresholds and windows as annotations, the logic stays in DRL.
 * <pre>
 * rule "Risk Threshold Exceeded For Object Over 24 Hour Period"
 *     &#64;incidentId( "…uuid…" )  &#64;window( "24h" )  &#64;scoreAbove( 100 )
 *     &#64;severity( "medium below 250, high below 500, critical" )
 * </pre>
 *
 * @param ruleName    the DRL rule name (also the incident's {@code rule_title})
 * @param id          {@code @incidentId}, a UUID
 * @param description {@code @description}
 * @param window      {@code @window}, e.g. {@code 24h}, {@code 7d}
 * @param windowMillis the window in milliseconds
 * @param scoreAbove  {@code @scoreAbove}: the total calculated risk score must exceed it (0 when absent)
 * @param minTactics  {@code @minTactics}: at least this many distinct ATT&amp;CK tactics (0 when absent)
 * @param minSources  {@code @minSources}: at least this many distinct sources (detections) (0 when absent)
 * @param severities  from {@code @severity}: bands in order, the last without a bound
 */
public record IncidentRule(String ruleName, String id, String description, String window, long windowMillis,
                           double scoreAbove, int minTactics, int minSources, List<Band> severities) {

    /** A severity band: {@code severity} applies below {@code below} (the last band has no bound). */
    public record Band(String severity, double below) {
    }

    private static final List<String> SEVERITIES = List.of("informational", "low", "medium", "high", "critical");

    /** The incident rule's name: its {@code rule_title}. */
    public String getName() {
        return ruleName;
    }

    public double getScoreAbove() {
        return scoreAbove;
    }

    public int getMinTactics() {
        return minTactics;
    }

    public int getMinSources() {
        return minSources;
    }

    public long getWindowMillis() {
        return windowMillis;
    }

    /** The severity of a total score: the first band whose bound the total is below. */
    public String severityOf(double total) {
        for (Band b : severities) {
            if (total < b.below()) {
                return b.severity();
            }
        }
        return severities.get(severities.size() - 1).severity();
    }

    /** Reads an incident rule's annotations (values as Drools hands them over); throws naming the bad annotation. */
    public static IncidentRule read(String ruleName, Map<String, Object> md, String description) {
        String id = text(md, "incidentId");
        if (!id.matches("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")) {
            throw new IllegalArgumentException("@incidentId '" + id + "' is not a UUID");
        }
        String window = text(md, "window");
        if (window.isEmpty()) {
            throw new IllegalArgumentException("missing @window");
        }
        double above = md.containsKey("scoreAbove") ? number("@scoreAbove", text(md, "scoreAbove")) : 0;
        int tactics = md.containsKey("minTactics") ? (int) number("@minTactics", text(md, "minTactics")) : 0;
        int sources = md.containsKey("minSources") ? (int) number("@minSources", text(md, "minSources")) : 0;
        if (!md.containsKey("scoreAbove") && !md.containsKey("minTactics") && !md.containsKey("minSources")) {
            throw new IllegalArgumentException("needs a threshold: @scoreAbove, @minTactics or @minSources");
        }
        return new IncidentRule(ruleName, id, description, window, millis("@window", window), above, tactics, sources,
                bands(md.containsKey("severity") ? text(md, "severity") : "high"));
    }

    /** {@code "medium below 250, high below 500, critical"} → bands. */
    static List<Band> bands(String text) {
        List<Band> out = new ArrayList<>();
        String[] parts = text.split(",");
        for (int i = 0; i < parts.length; i++) {
            String[] w = parts[i].trim().toLowerCase(Locale.ROOT).split("\\s+");
            if (!SEVERITIES.contains(w[0])) {
                throw new IllegalArgumentException("@severity: '" + w[0] + "' is not one of " + SEVERITIES);
            }
            boolean last = i == parts.length - 1;
            if (last && w.length == 1) {
                out.add(new Band(w[0], Double.POSITIVE_INFINITY));
            } else if (!last && w.length == 3 && w[1].equals("below")) {
                out.add(new Band(w[0], number("@severity bound", w[2])));
            } else {
                throw new IllegalArgumentException("@severity '" + text
                        + "' is not like \"medium below 250, high below 500, critical\"");
            }
        }
        return List.copyOf(out);
    }

    private static String text(Map<String, Object> md, String key) {
        Object v = md.get(key);
        return v == null ? "" : RiskMetadata.unquote(v);
    }

    private static double number(String what, String v) {
        try {
            return Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + " '" + v + "' is not a number");
        }
    }

    /** {@code 30m}, {@code 24h}, {@code 7d}, {@code 90s} → milliseconds (positive). */
    public static long millis(String what, String v) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)\\s*([smhd])").matcher(v.trim());
        if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
            throw new IllegalArgumentException(what + " '" + v + "' is not a duration like 30m, 24h or 7d");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "s" -> n * 1000L;
            case "m" -> n * 60_000L;
            case "h" -> n * 3_600_000L;
            default -> n * 86_400_000L;
        };
    }
}
