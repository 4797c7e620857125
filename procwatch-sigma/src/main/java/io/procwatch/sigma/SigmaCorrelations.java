package io.procwatch.sigma;

import com.fasterxml.jackson.databind.JsonNode;
import io.procwatch.detect.Phase;
import org.kie.api.KieBase;
import org.kie.api.definition.KiePackage;
import org.kie.api.definition.rule.Rule;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Sigma correlation rules (specification 2.1: {@code event_count}, {@code value_count}, {@code temporal},
 * {@code temporal_ordered}, {@code value_sum}, {@code value_avg}, {@code value_percentile}; criteria {@code gt},
 * {@code gte}, {@code lt}, {@code lte}, {@code eq}, {@code neq}, several of them a range) converted to DRL whose
 * state is working-memory facts: one {@link CorrelationWindow} per correlation and group, opened by a rule when
 * the group's first match arrives, changed with {@code modify( $w ) { add( $m ) }} for every unsuppressed match of
 * the rules named, and read by the correlation's detection rule through the property its condition compares
 * ({@code eventCount > 2}).
 *
 * <ul>
 * <li>Checked on every match ({@code gt}/{@code gte} on a count or a sum; the temporal types, {@code eq}
 * included): a sliding window over the group's last timespan of matches; the detection rule
 * ({@link io.procwatch.detect.Phase#CORRELATE_CHECK}, above the folds) fires as soon as a fold makes the condition
 * hold, on the match's event, and restarts the window. A window nothing can count in any more (the
 * {@link io.procwatch.aggregate.Watermark} past its newest match plus the timespan) is deleted.</li>
 * <li>Judged when the time is over ({@link #atWindowEnd}: {@code lt}, {@code lte}, {@code neq}, {@code eq} on a
 * count, {@code value_avg}, {@code value_percentile}): a window covers {@code [first match, first match +
 * timespan]}; once the watermark passes its end ({@code Long.MAX_VALUE} at the end of the input) the detection rule
 * ({@link io.procwatch.detect.Phase#CORRELATE_JUDGE}, after the aggregation deleted the firing's matches) judges
 * it, oldest first, and deletes it; the match carries the group's latest event re-timed to the window end. A group
 * with no match has no window, so "fewer than n" never fires on silence.</li>
 * </ul>
 *
 * <p>Values are compared as Sigma compares them, case-insensitively ({@link CorrelationGroup}, {@link
 * CorrelationWindow#getValueCount()}); {@code event_count} counts events, not matches.
 *
 * <p>{@code generate} (false by default): a rule that correlations name raises no notables of its own unless one
 * of them says {@code generate: true} ({@link #withoutOwnNotables}). Its matches still pass the filters and feed
 * every correlation naming it; the rule of {@link #baseRulesDrl} then deletes them before aggregation.
 *
 * <p>A session's open windows move to the session of reloaded rules ({@link SigmaRuntime#handOver}) and are part
 * of a detection state ({@link CorrelationState}).
 */
public final class SigmaCorrelations {

    private SigmaCorrelations() {
    }

    // ------------------------------------------------------------------ conversion

    /** Sigma correlation types (specification 2.1). */
    static final List<String> TYPES = List.of("event_count", "value_count", "temporal", "temporal_ordered",
            "value_sum", "value_avg", "value_percentile");
    /** Condition criteria and the DRL comparison each becomes. */
    private static final Map<String, String> OPERATORS = Map.of(
            "gt", ">", "gte", ">=", "lt", "<", "lte", "<=", "eq", "==", "neq", "!=");
    private static final List<String> CRITERIA = List.of("gt", "gte", "lt", "lte", "eq", "neq");

    static SigmaConverter.Converted convert(SigmaConverter conv, JsonNode doc, Path source, String stem,
                                            Map<String, String> refs) {
        String id = doc.hasNonNull("id") ? doc.get("id").asText() : null;
        String title = doc.hasNonNull("title") ? doc.get("title").asText() : null;
        if (id == null || title == null) {
            throw new SigmaException("missing title", "a correlation needs a title (a missing id is derived from it)");
        }
        JsonNode c = doc.path("correlation");
        String type = c.path("type").asText("");
        if (!TYPES.contains(type)) {
            throw new SigmaException("correlation type " + type, "unknown correlation type '" + type + "'");
        }
        List<String> rules = SigmaConverter.references(c.path("rules"), refs);
        if (rules.isEmpty()) {
            throw new SigmaException("correlation without rules", "correlation.rules names no rule");
        }
        JsonNode ts = c.has("timespan") ? c.get("timespan") : c.get("timeframe");
        if (ts == null) {
            throw new SigmaException("correlation without timespan", "correlation.timespan is missing");
        }
        long span = millis(ts.asText());
        SigmaConverter.Ctx ctx = new SigmaConverter.Ctx(id, SigmaConverter.Target.MATCH); // field names only
        List<String> groupBy = new ArrayList<>();
        JsonNode g = c.path("group-by");
        if (g.isArray()) {
            g.forEach(x -> groupBy.add(conv.eventField(x.asText(), ctx)));
        } else if (g.isTextual()) {
            groupBy.add(conv.eventField(g.asText(), ctx));
        }
        JsonNode cond = c.path("condition");
        boolean counts = !Set.of("value_sum", "value_avg", "value_percentile").contains(type);
        // Several criteria are a range ("gt: 100, lte: 200"): all must hold.
        List<String> ops = new ArrayList<>();
        List<String> bounds = new ArrayList<>();
        for (String o : CRITERIA) {
            if (cond.has(o)) {
                JsonNode n = cond.get(o);
                if (!n.isNumber() || (counts && !n.canConvertToExactIntegral())) {
                    throw new SigmaException("correlation condition", "condition." + o + " must be "
                            + (counts ? "a whole number" : "a number") + ", not '" + n.asText() + "'");
                }
                ops.add(o);
                bounds.add(counts ? Long.toString(n.asLong()) : n.asText());
            }
        }
        List<String> fields = new ArrayList<>();
        if (!type.startsWith("temporal") && !type.equals("event_count")) {
            JsonNode f = cond.path("field");
            if (f.isArray()) {
                f.forEach(x -> fields.add(conv.eventField(x.asText(), ctx)));
            } else if (f.isTextual()) {
                fields.add(conv.eventField(f.asText(), ctx));
            }
            if (fields.isEmpty()) {
                throw new SigmaException(type + " without field", "condition.field is missing");
            }
            if (fields.size() > 1 && !type.equals("value_count")) {
                throw new SigmaException(type + " over several fields", type + " reads one number field, not " + fields);
            }
        }
        if (cond.has("percentile")) {
            throw new SigmaException("correlation condition", "condition.percentile is not part of the Sigma"
                    + " correlation specification 2.1 (value_percentile compares the share of the field's values)");
        }
        if (ops.isEmpty()) {
            if (type.startsWith("temporal")) {
                ops.add("gte");
                bounds.add(Integer.toString(rules.size()));
            } else {
                throw new SigmaException("correlation condition", "condition needs gt, gte, lt, lte, eq or neq");
            }
        }
        String property = property(type, ops);
        String spec = String.join("\u0001", type, Long.toString(span), String.join(",", ops), String.join(",", bounds),
                String.join("\u0002", fields), String.join("\u0002", groupBy), String.join("\u0002", rules));
        StringBuilder condition = new StringBuilder();
        List<String> constraints = new ArrayList<>();
        if (Set.of("value_avg", "value_percentile").contains(type)) {
            // No number (value_avg) or no value (value_percentile) in the window: nothing to compare, never fires.
            constraints.add(type.equals("value_avg") ? "numberCount > 0" : "valueCount > 0");
        }
        for (int i = 0; i < ops.size(); i++) {
            condition.append(i > 0 ? " and " : "").append(ops.get(i)).append(" ").append(bounds.get(i));
            constraints.add(property + " " + OPERATORS.get(ops.get(i)) + " " + bounds.get(i));
        }

        boolean generate = generate(doc);
        boolean atWindowEnd = atWindowEnd(type, ops);
        String name = DrlWriter.oneLine(title) + " [" + id + "]";
        String cid = SigmaConverter.str(id);
        StringBuilder sb = new StringBuilder();
        sb.append("package io.procwatch.rules;\n\n");
        sb.append("// Converted from Sigma correlation \"").append(DrlWriter.oneLine(title)).append("\" (").append(id).append(")\n");
        sb.append("// source: ").append(source == null ? "(memory)" : source.getFileName()).append("\n");
        sb.append("// ").append(type).append(" over ").append(rules).append(", timespan ").append(ts.asText())
                .append(", group-by ").append(groupBy).append(", ").append(condition)
                .append(fields.isEmpty() ? "" : " of " + String.join(" and ", fields)).append("\n");
        sb.append("// Each group's window is a CorrelationWindow fact: the first match of a group opens it, every match is\n")
                .append("// folded in with modify, and the condition below reads it (").append(String.join(", ", constraints))
                .append(").\n");
        sb.append("// Group-by values and counted values are compared case-insensitively, as Sigma compares values.\n");
        if (atWindowEnd) {
            sb.append("// ").append(condition).append(" is only known when the time is over: a group's window covers [first match,\n")
                    .append("// first match + timespan] and is judged once the Watermark passes its end (or at the end of the input);\n")
                    .append("// the correlation's match carries the group's last event, timed at the window end.\n");
        } else {
            sb.append("// Checked on every match over the last timespan of the group's matches; after firing, the window restarts.\n");
        }
        sb.append(generate
                ? "// generate: true: the rules named keep their own notables.\n"
                : "// generate: false (the default): the rules named raise no notables of their own unless another\n"
                + "// correlation naming them sets generate: true (" + SigmaRules.CORRELATION_GENERATE_FILE + ").\n");
        sb.append("\nimport io.procwatch.detect.Match;\nimport io.procwatch.aggregate.Watermark;\n");
        sb.append("import io.procwatch.sigma.CorrelationGroup;\nimport io.procwatch.sigma.CorrelationWindow;\n\n");
        sb.append("global io.procwatch.detect.Detections detections;\n\n");
        List<String> notableGroup = new ArrayList<>(groupBy);
        if (notableGroup.isEmpty()) {
            notableGroup.add("dest");
        }
        StringBuilder match = new StringBuilder("    $m : Match( ruleId in ( ");
        for (int i = 0; i < rules.size(); i++) {
            match.append(i > 0 ? ", " : "").append(SigmaConverter.str(rules.get(i)));
        }
        match.append(" ), suppressedBy == null )\n");
        match.append("    $g : CorrelationGroup() from CorrelationGroup.of( $m");
        groupBy.forEach(f -> match.append(", ").append(SigmaConverter.str(f)));
        match.append(" )\n");
        String window = "CorrelationWindow( correlation == " + cid + ", group == $g" + (atWindowEnd ? ", end >= $m.time" : "") + " )";

        sb.append("rule ").append(SigmaConverter.str("Sigma correlation: " + name + ": a group's first match opens its window")).append("\n");
        sb.append("    ").append(Phase.CORRELATE.drl()).append("\n");
        sb.append("when\n").append(match).append("    not ").append(window).append("\n");
        sb.append("then\n    insert( CorrelationWindow.");
        sb.append(atWindowEnd ? "tumbling( " + cid + ", \"" + type + "\", $g, $m.getTime(), " + span + "L )"
                : "sliding( " + cid + ", \"" + type + "\", $g, " + span + "L )");
        if (!fields.isEmpty()) {
            sb.append(".field( ").append(String.join(", ", fields.stream().map(SigmaConverter::str).toList())).append(" )");
        }
        if (type.equals("temporal_ordered")) {
            sb.append(".order( ").append(String.join(", ", rules.stream().map(SigmaConverter::str).toList())).append(" )");
        }
        sb.append(" );\nend\n\n");

        sb.append("rule ").append(SigmaConverter.str("Sigma correlation: " + name + ": count a match in its group's window")).append("\n");
        sb.append("    ").append(Phase.CORRELATE.drl()).append("\n");
        sb.append("when\n").append(match).append("    $w : ").append(window).append("\n");
        if (atWindowEnd) {
            sb.append("    // the group's oldest window that the match is not past\n");
            sb.append("    not CorrelationWindow( correlation == ").append(cid).append(", group == $g, end >= $m.time, start < $w.start )\n");
        }
        sb.append("then\n    modify( $w ) { add( $m ) }\nend\n\n");

        String holds = String.join(", ", constraints);
        sb.append("rule ").append(SigmaConverter.str("Sigma correlation: " + name)).append("\n");
        DrlWriter.catalog(sb, doc, id, title, String.join(" ", notableGroup), "sysmon security");
        specAnnotation(sb, spec);
        if (atWindowEnd) {
            // After the aggregation rules deleted this firing's matches: a window deleted here is never reopened
            // by a match it already counted.
            // Oldest first: the matches a judged window raises reach chained correlations in time order.
            String oldestFirst = "    not CorrelationWindow( correlation == " + cid + ", end < $w.end )\n";
            sb.append("    ").append(Phase.CORRELATE_JUDGE.drl()).append("\n");
            sb.append("when\n    Watermark( $now : time )\n");
            sb.append("    $w : CorrelationWindow( correlation == ").append(cid).append(", end < $now, ").append(holds).append(" )\n");
            sb.append(oldestFirst);
            sb.append("then\n    delete( $w );\n    insert( detections.match( kcontext, $w.getEventAtEnd() ) );\nend\n\n");
            sb.append("rule ").append(SigmaConverter.str("Sigma correlation: " + name + ": forget a window over that did not hold")).append("\n");
            sb.append("    ").append(Phase.CORRELATE_JUDGE.drl()).append("\n");
            sb.append("when\n    Watermark( $now : time )\n");
            sb.append("    $w : CorrelationWindow( correlation == ").append(cid).append(", end < $now, !( ")
                    .append(String.join(" && ", constraints)).append(" ) )\n");
            sb.append(oldestFirst);
            sb.append("then\n    delete( $w );\nend\n");
        } else {
            // Above the folds: each fold is checked before the next, however many matches one firing brings.
            sb.append("    ").append(Phase.CORRELATE_CHECK.drl()).append("\n");
            sb.append("when\n    $w : CorrelationWindow( correlation == ").append(cid).append(", ").append(holds).append(" )\n");
            sb.append("then\n    insert( detections.match( kcontext, $w.getLastEvent() ) );\n    modify( $w ) { restart() }\nend\n\n");
            sb.append("rule ").append(SigmaConverter.str("Sigma correlation: " + name + ": forget a window nothing can count in any more")).append("\n");
            sb.append("    ").append(Phase.CORRELATE_JUDGE.drl()).append("\n");
            sb.append("when\n    Watermark( $now : time )\n");
            sb.append("    $w : CorrelationWindow( correlation == ").append(cid).append(", expiresAt < $now )\n");
            sb.append("then\n    delete( $w );\nend\n");
        }
        return new SigmaConverter.Converted(id, title, stem + ".drl", sb.toString(), Set.of(), source, true);
    }

    /** The {@link CorrelationWindow} property a correlation's condition compares. */
    private static String property(String type, List<String> ops) {
        return switch (type) {
            case "event_count" -> "eventCount";
            case "value_count" -> "valueCount";
            case "temporal" -> "ruleCount";
            case "temporal_ordered" -> "orderedRuleCount";
            case "value_sum" -> "valueSum";
            case "value_avg" -> "valueAvg";
            default -> {
                // value_percentile: the share of a value; "lte 1" asks for a value carried by at most 1% of the events.
                boolean below = ops.stream().allMatch(o -> o.equals("lt") || o.equals("lte"));
                boolean above = ops.stream().allMatch(o -> o.equals("gt") || o.equals("gte"));
                if (!below && !above) {
                    throw new SigmaException("correlation condition", "value_percentile takes lt/lte (a rare value) or"
                            + " gt/gte (a common value), not " + ops);
                }
                yield below ? "rarestShare" : "commonestShare";
            }
        };
    }

    /**
     * {@code @sigmaCorrelationSpec}: the correlation's definition (type, timespan, condition, field, group-by, rules:
     * the text its consequence passes to {@link State}) as an annotation, so that a rule reload can tell an unchanged
     * correlation from a changed one ({@link #specs}). Fields are separated by {@code " | "}, list items by
     * {@code "; "}; a character that would end the value or read as a separator is written {@code %XXXX}.
     */
    private static void specAnnotation(StringBuilder sb, String spec) {
        StringBuilder v = new StringBuilder();
        for (int i = 0; i < spec.length(); i++) {
            char c = spec.charAt(i);
            if (c == '\u0001') {
                v.append(" | ");
            } else if (c == '\u0002') {
                v.append("; ");
            } else if (c < 0x20 || c == '%' || c == '"' || c == '\\' || c == '|' || c == ';') {
                v.append('%').append(String.format("%04x", (int) c));
            } else {
                v.append(c);
            }
        }
        sb.append("    @sigmaCorrelationSpec( \"").append(v).append("\" )\n");
    }

    /**
     * The definition of every correlation in a rule base, by correlation id: its {@code @sigmaCorrelationSpec}. Two
     * rule bases give the same text for a correlation whose type, timespan, condition, field, group-by and rules are
     * the same. A correlation converted by an older procwatch (without the annotation) is not in it.
     */
    public static Map<String, String> specs(KieBase base) {
        Map<String, String> out = new HashMap<>();
        for (KiePackage p : base.getKiePackages()) {
            for (Rule r : p.getRules()) {
                Object id = r.getMetaData().get("sigmaCorrelation");
                Object spec = r.getMetaData().get("sigmaCorrelationSpec");
                if (id != null && spec != null) {
                    out.put(id.toString(), spec.toString());
                }
            }
        }
        return out;
    }

    /**
     * Sigma's {@code generate}: true when the correlation lets the rules it names raise their own notables. The
     * specification's schema has it beside {@code title}; pySigma reads it inside {@code correlation}; either is
     * taken.
     *
     * @throws SigmaException when it is not a boolean
     */
    static boolean generate(JsonNode doc) {
        boolean on = false;
        for (JsonNode g : List.of(doc.path("generate"), doc.path("correlation").path("generate"))) {
            if (g.isMissingNode() || g.isNull()) {
                continue;
            }
            if (!g.isBoolean()) {
                throw new SigmaException("correlation generate", "generate must be true or false, not '" + g.asText() + "'");
            }
            on |= g.booleanValue();
        }
        return on;
    }

    /**
     * The rules whose own notables are turned off: every rule a correlation names, unless a correlation naming
     * it has {@code generate: true} (an explicit request for the stand-alone rule wins over the default). Keyed
     * by rule id in id order, each with the ids of the correlations naming it. Rules no correlation names are
     * not in it.
     */
    public static Map<String, List<String>> withoutOwnNotables(Collection<ConversionReport.Correlation> correlations) {
        Map<String, List<String>> naming = new TreeMap<>();
        Set<String> generated = new HashSet<>();
        for (ConversionReport.Correlation c : correlations) {
            for (String r : c.rules()) {
                List<String> by = naming.computeIfAbsent(r, k -> new ArrayList<>());
                if (!by.contains(c.id())) {
                    by.add(c.id());
                }
                if (c.generate()) {
                    generated.add(r);
                }
            }
        }
        naming.keySet().removeAll(generated);
        return naming;
    }

    /**
     * The DRL that keeps the rules of {@link #withoutOwnNotables} out of the notables: after the filters (100)
     * and every correlation (50, 40) have seen an unsuppressed match of theirs, it is deleted before the
     * aggregation rules (-100) fold it into a notable group. Their matches are still counted.
     */
    public static String baseRulesDrl(Map<String, List<String>> withoutOwnNotables) {
        StringBuilder sb = new StringBuilder();
        sb.append("package io.procwatch.rules;\n\n");
        sb.append("// Sigma correlations (generated by procwatch): `generate` is false unless a correlation says true, so\n");
        sb.append("// the rules a correlation names raise no notables of their own. Their matches still pass the filters\n");
        sb.append("// and feed every correlation naming them; only then are they dropped here.\n");
        withoutOwnNotables.forEach((rule, by) -> sb.append("//   ").append(rule).append(": named by correlation ")
                .append(String.join(", ", by)).append("\n"));
        sb.append("\nimport io.procwatch.detect.Match;\n\n");
        sb.append("rule \"Sigma correlation: rules without notables of their own\"\n");
        sb.append("    ").append(Phase.UNREPORTED.drl()).append("\n");
        sb.append("when\n    $m : Match( ruleId in ( ");
        int i = 0;
        for (String rule : withoutOwnNotables.keySet()) {
            sb.append(i++ > 0 ? ", " : "").append(SigmaConverter.str(rule));
        }
        sb.append(" ), suppressedBy == null )\n");
        sb.append("then\n    delete( $m );\nend\n");
        return sb.toString();
    }

    /** Sigma timespans: a number and s, m, h, d or w. */
    static long millis(String s) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)\\s*([smhdw])").matcher(s.strip());
        if (!m.matches()) {
            throw new SigmaException("correlation timespan", "cannot read timespan '" + s + "'");
        }
        long n = Long.parseLong(m.group(1));
        return n * switch (m.group(2)) {
            case "s" -> 1_000L;
            case "m" -> 60_000L;
            case "h" -> 3_600_000L;
            case "d" -> 86_400_000L;
            default -> 7 * 86_400_000L;
        };
    }

    /**
     * Whether a correlation is judged once its window is over rather than on each match: an upper bound
     * ({@code lt}, {@code lte}, or a range with one) can only be known then, and so can {@code eq} and {@code neq}
     * on a count ({@code event_count}, {@code value_count}), because a count that reaches n may still go past it,
     * and an average or a share of values ({@code value_avg}, {@code value_percentile}), which any later match
     * changes. The temporal types keep {@code eq} on the sliding window: their count is of the distinct rules
     * named, so with {@code eq} at the number of rules named (the usual case) it cannot go past n.
     */
    static boolean atWindowEnd(String type, List<String> ops) {
        return ops.contains("lt") || ops.contains("lte") || ops.contains("neq")
                || (ops.contains("eq") && !type.startsWith("temporal"))
                || type.equals("value_avg") || type.equals("value_percentile");
    }

}
