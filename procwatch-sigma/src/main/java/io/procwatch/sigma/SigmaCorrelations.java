package io.procwatch.sigma;

import com.fasterxml.jackson.databind.JsonNode;
import io.procwatch.detect.Match;
import io.procwatch.detect.Phase;
import io.procwatch.normalize.ProcessEvent;
import org.kie.api.KieBase;
import org.kie.api.definition.KiePackage;
import org.kie.api.definition.rule.Rule;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Sigma correlation rules ({@code event_count}, {@code value_count}, {@code temporal},
 * {@code temporal_ordered}) as DRL rules on {@link Match} with the sliding-window state kept in Java.
 *
 * <p>The aggregation rules delete each match right after it is folded into its notable group (salience -100),
 * so a DRL window over {@code Match} facts would see nothing. A correlation rule therefore fires at salience 50
 * on every unsuppressed match of the rules it names (after the filters at 100) and hands it to the session's
 * {@link State} fact, which keeps per correlation and group a deque of the matches inside the timespan. When the
 * condition holds, the rule inserts its own match (the last event of the window) through
 * {@code detections.match}, and that match becomes a notable like any other. Since the state is not made of
 * {@code Match} facts, {@code @expires(2h)} on {@code Match} does not bound the timespan.
 *
 * <ul>
 * <li>{@code gt}/{@code gte} on {@code event_count} and {@code value_count}: checked on each match over the
 * window ending at it {@code [t - timespan, t]}; after firing, the group's window starts afresh.</li>
 * <li>{@code lt}/{@code lte}, and {@code eq} on {@code event_count} and {@code value_count} (the count, of events
 * or of distinct values, "must be equal the given value": one that reaches n may still go past it): can only be
 * decided once the window is over. A group's window opens at its first match and covers
 * {@code [start, start + timespan]}; it is a {@link TumblingWindow} fact, and the correlation's detection rule
 * reacts to the {@link io.procwatch.aggregate.Watermark}: once the watermark (newest event time less the
 * late-event allowance, or the wall clock less it; {@code Long.MAX_VALUE} at the session's flush or close) passes
 * the window's end, the window is judged, with no later match needed. When the count satisfies the condition,
 * the correlation's match carries the group's latest event re-timed to the window's end: that is when the
 * condition became certain, and that time decides its notable window. A group with no match at all has no
 * window, so "fewer than n" never fires on silence. A range ({@code gt: 100} with {@code lte: 200}: every
 * criterion must hold) has an upper bound and is judged the same way. So {@code eq: 3} fires for a group whose
 * window ends with exactly 3, not for one that reached 3 and went on to 4.</li>
 * <li>{@code temporal}: every named rule (or at least {@code condition} of them) matched within the timespan,
 * any order; {@code temporal_ordered}: in the order listed. Checked on each match, {@code eq} included; with
 * {@code lt}/{@code lte}, at the window end as above ({@link #atWindowEnd}).</li>
 * </ul>
 *
 * <p>{@code generate} (false by default): a rule that correlations name raises no notables of its own unless one
 * of them says {@code generate: true} ({@link #withoutOwnNotables}). Its matches still pass the filters and feed
 * every correlation naming it; the rule of {@link #baseRulesDrl} then deletes them before aggregation.
 *
 * <pre>{@code
 * // A session's DRL (converted Sigma rules and correlations, model.drl, aggregation.drl) runs as usual:
 * session.insert(event); session.fire();   // gt/gte/temporal notables at the match; lt/lte/eq as windows end
 * session.flush();                          // end of input: every open lt/lte/eq window is judged, notables emitted
 * }</pre>
 */
public final class SigmaCorrelations {

    private SigmaCorrelations() {
    }

    // ------------------------------------------------------------------ conversion

    static SigmaConverter.Converted convert(SigmaConverter conv, JsonNode doc, Path source, String stem,
                                            Map<String, String> refs) {
        String id = doc.hasNonNull("id") ? doc.get("id").asText() : null;
        String title = doc.hasNonNull("title") ? doc.get("title").asText() : null;
        if (id == null || title == null) {
            throw new SigmaException("missing title", "a correlation needs a title (a missing id is derived from it)");
        }
        JsonNode c = doc.path("correlation");
        String type = c.path("type").asText("");
        if (!List.of("event_count", "value_count", "temporal", "temporal_ordered").contains(type)) {
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
        SigmaConverter.Ctx ctx = new SigmaConverter.Ctx(id);
        List<String> groupBy = new ArrayList<>();
        JsonNode g = c.path("group-by");
        if (g.isArray()) {
            g.forEach(x -> groupBy.add(conv.eventField(x.asText(), ctx)));
        } else if (g.isTextual()) {
            groupBy.add(conv.eventField(g.asText(), ctx));
        }
        JsonNode cond = c.path("condition");
        // Several criteria are a range ("gt: 100, lte: 200"): all must hold.
        List<String> ops = new ArrayList<>();
        List<String> bounds = new ArrayList<>();
        for (String o : List.of("gt", "gte", "lt", "lte", "eq")) {
            if (cond.has(o)) {
                ops.add(o);
                bounds.add(Long.toString(cond.get(o).asLong()));
            }
        }
        String field = "";
        if (type.equals("value_count")) {
            if (!cond.hasNonNull("field")) {
                throw new SigmaException("value_count without field", "condition.field is missing");
            }
            field = conv.eventField(cond.get("field").asText(), ctx);
        }
        if (ops.isEmpty()) {
            if (type.startsWith("temporal")) {
                ops.add("gte");
                bounds.add(Integer.toString(rules.size()));
            } else {
                throw new SigmaException("correlation condition", "condition needs gt, gte, lt, lte or eq");
            }
        }
        String spec = String.join("\u0001", type, Long.toString(span), String.join(",", ops), String.join(",", bounds),
                field, String.join("\u0002", groupBy), String.join("\u0002", rules));
        StringBuilder condition = new StringBuilder();
        for (int i = 0; i < ops.size(); i++) {
            condition.append(i > 0 ? " and " : "").append(ops.get(i)).append(" ").append(bounds.get(i));
        }

        boolean generate = generate(doc);
        boolean atWindowEnd = atWindowEnd(type, ops);
        String name = DrlWriter.oneLine(title) + " [" + id + "]";
        StringBuilder sb = new StringBuilder();
        sb.append("package io.procwatch.rules;\n\n");
        sb.append("// Converted from Sigma correlation \"").append(DrlWriter.oneLine(title)).append("\" (").append(id).append(")\n");
        sb.append("// source: ").append(source == null ? "(memory)" : source.getFileName()).append("\n");
        sb.append("// ").append(type).append(" over ").append(rules).append(", timespan ").append(ts.asText())
                .append(", group-by ").append(groupBy).append(", ").append(condition)
                .append(field.isEmpty() ? "" : " distinct " + field).append("\n");
        sb.append("// Window state lives in SigmaCorrelations.State (Java), not in Match facts.\n");
        sb.append(generate
                ? "// generate: true: the rules named keep their own notables.\n"
                : "// generate: false (the default): the rules named raise no notables of their own unless another\n"
                + "// correlation naming them sets generate: true (" + SigmaRules.CORRELATION_GENERATE_FILE + ").\n");
        if (atWindowEnd) {
            sb.append("// ").append(condition).append(": a group's window opens at its first match and is judged once the Watermark\n")
                    .append("// passes its end (first match + timespan), or at the end of the input; the correlation's match\n")
                    .append("// carries the group's last event, timed at the window end.\n");
        }
        sb.append("\nimport io.procwatch.detect.Match;\nimport io.procwatch.normalize.ProcessEvent;\n");
        if (atWindowEnd) {
            sb.append("import io.procwatch.aggregate.Watermark;\n");
        }
        sb.append("import io.procwatch.sigma.SigmaCorrelations;\n\n");
        sb.append("global io.procwatch.detect.Detections detections;\n\n");
        List<String> notableGroup = new ArrayList<>(groupBy);
        if (notableGroup.isEmpty()) {
            notableGroup.add("dest");
        }
        StringBuilder matchPattern = new StringBuilder("    $m : Match( ruleId in ( ");
        for (int i = 0; i < rules.size(); i++) {
            matchPattern.append(i > 0 ? ", " : "").append(SigmaConverter.str(rules.get(i)));
        }
        matchPattern.append(" ), suppressedBy == null )\n");
        if (atWindowEnd) {
            // Two rules: one folds matches into windows (facts), the detection judges a window once time is past it.
            sb.append("rule ").append(SigmaConverter.str("Sigma correlation window: " + name)).append("\n");
            sb.append("    ").append(Phase.CORRELATE.drl()).append("\n");
            sb.append("when\n    $s : SigmaCorrelations.State()\n").append(matchPattern);
            sb.append("then\n    SigmaCorrelations.TumblingWindow opened = $s.collect( ").append(SigmaConverter.str(id))
                    .append(", ").append(SigmaConverter.str(spec)).append(", $m );\n");
            sb.append("    if ( opened != null ) {\n        insert( opened );\n    }\nend\n\n");
            sb.append("rule ").append(SigmaConverter.str("Sigma correlation: " + name)).append("\n");
            DrlWriter.catalog(sb, doc, id, title, String.join(" ", notableGroup), "sysmon security");
            specAnnotation(sb, spec);
            // Below the window rule (50): matches raised in the same firing are folded in before a window is judged.
            sb.append("    ").append(Phase.CORRELATE_JUDGE.drl()).append("\n");
            sb.append("when\n    Watermark( $now : time )\n");
            sb.append("    $w : SigmaCorrelations.TumblingWindow( correlation == ").append(SigmaConverter.str(id))
                    .append(", end < $now )\n");
            sb.append("    $s : SigmaCorrelations.State()\n");
            sb.append("then\n    delete( $w );\n    ProcessEvent e = $s.judge( $w );\n");
        } else {
            sb.append("rule ").append(SigmaConverter.str("Sigma correlation: " + name)).append("\n");
            DrlWriter.catalog(sb, doc, id, title, String.join(" ", notableGroup), "sysmon security");
            specAnnotation(sb, spec);
            sb.append("    ").append(Phase.CORRELATE.drl()).append("\n");
            sb.append("when\n    $s : SigmaCorrelations.State()\n").append(matchPattern);
            sb.append("then\n    ProcessEvent e = $s.observe( ").append(SigmaConverter.str(id)).append(", ")
                    .append(SigmaConverter.str(spec)).append(", $m );\n");
        }
        sb.append("    if ( e != null ) {\n        insert( detections.match( kcontext, e ) );\n    }\nend\n");
        return new SigmaConverter.Converted(id, title, stem + ".drl", sb.toString(), Set.of(), source, true);
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

    /** The rule that gives each session its correlation state (once, before anything else). */
    public static String stateDrl() {
        return """
                package io.procwatch.rules;

                // Sigma correlations (generated by procwatch): one window state per session.
                import io.procwatch.sigma.SigmaCorrelations;

                rule "Sigma correlation state"
                    salience 10000  // Phase.SETUP
                when
                    not SigmaCorrelations.State()
                then
                    insert( new SigmaCorrelations.State() );
                end
                """;
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

    // ------------------------------------------------------------------ runtime

    /** A correlation as its DRL passes it: criteria ({@code ops}/{@code bounds}, all must hold) and grouping. */
    private record Spec(String type, long span, List<String> ops, List<Long> bounds, String field,
                        List<String> groupBy, List<String> rules) {
        static Spec parse(String s) {
            String[] p = s.split("\u0001", -1);
            return new Spec(p[0], Long.parseLong(p[1]), List.of(p[2].split(",")),
                    Arrays.stream(p[3].split(",")).map(Long::valueOf).toList(), p[4],
                    p[5].isEmpty() ? List.of() : Arrays.asList(p[5].split("\u0002")), Arrays.asList(p[6].split("\u0002")));
        }

        boolean holds(long n) {
            for (int i = 0; i < ops.size(); i++) {
                long bound = bounds.get(i);
                boolean ok = switch (ops.get(i)) {
                    case "gt" -> n > bound;
                    case "gte" -> n >= bound;
                    case "lt" -> n < bound;
                    case "lte" -> n <= bound;
                    default -> n == bound;
                };
                if (!ok) {
                    return false;
                }
            }
            return true;
        }

        boolean atWindowEnd() {
            return SigmaCorrelations.atWindowEnd(type, ops);
        }
    }

    /**
     * Whether a correlation is judged once its window is over rather than on each match: an upper bound
     * ({@code lt}, {@code lte}, or a range with one) can only be known then, and so can {@code eq} on a count
     * ({@code event_count}, {@code value_count}), because a count that reaches n may still go past it. The
     * temporal types keep {@code eq} on the sliding window, as before: their count is of the distinct rules named,
     * so with {@code eq} at the number of rules named (the usual case) it cannot go past n.
     */
    static boolean atWindowEnd(String type, List<String> ops) {
        return ops.contains("lt") || ops.contains("lte") || (ops.contains("eq") && !type.startsWith("temporal"));
    }

    /** An event by identity (an event matched by two rules is one object in both matches). */
    private record IdentityKey(ProcessEvent event) {
        @Override
        public boolean equals(Object o) {
            return o instanceof IdentityKey k && k.event == event;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(event);
        }
    }

    private record Entry(long time, String rule, String value, ProcessEvent event) {
        static Entry of(Spec spec, Match m) {
            ProcessEvent e = m.getEvent();
            return new Entry(m.getTime(), m.getRuleId(), spec.field().isEmpty() ? null : e.get(spec.field()), e);
        }
    }

    private static final class Window {
        final ArrayDeque<Entry> entries = new ArrayDeque<>();
    }

    /**
     * The window of an {@code lt}/{@code lte}/{@code eq} correlation ({@link SigmaCorrelations#atWindowEnd}) for one
     * group: it opens at the group's first match, covers {@code [start, start + timespan]} and is a working-memory
     * fact, so the correlation's DRL rule judges it as soon as the {@link io.procwatch.aggregate.Watermark} passes
     * {@link #getEnd()} (at the latest at the end of the input, when the watermark becomes {@code Long.MAX_VALUE}).
     */
    public static final class TumblingWindow {
        private final String correlation;
        private final Spec spec;
        private final List<String> key;
        private final long start;
        private final long end;
        private final List<Entry> entries = new ArrayList<>();

        private TumblingWindow(String correlation, Spec spec, List<String> key, long start) {
            this.correlation = correlation;
            this.spec = spec;
            this.key = key;
            this.start = start;
            this.end = start + spec.span();
        }

        /** The correlation's id. */
        public String getCorrelation() {
            return correlation;
        }

        /** Epoch ms of the first match. */
        public long getStart() {
            return start;
        }

        /** Epoch ms: start plus the timespan, inclusive; the window is judged when the watermark is past it. */
        public long getEnd() {
            return end;
        }
    }

    /** The correlation windows of one session (a working-memory fact). */
    public static final class State {
        private final Map<String, Map<List<String>, Window>> windows = new HashMap<>();
        /** Open windows judged at their end (lt/lte/eq) per correlation and group, in start order. */
        private final Map<String, Map<List<String>, List<TumblingWindow>>> tumbling = new HashMap<>();
        /** Parsed definitions, one per correlation of this session's rules (so bounded by them). */
        private final Map<String, Spec> specs = new HashMap<>();

        /**
         * Adds a match to its sliding correlation window ({@code gt}, {@code gte}; temporal types, {@code eq}
         * included); returns the event to raise the correlation on when its condition now holds, else null.
         *
         * @throws IllegalStateException for a correlation judged at the window end ({@link #atWindowEnd}: lt, lte,
         *                               or eq on a count), whose DRL must call {@link #collect} (a file converted
         *                               by an older procwatch: convert again)
         */
        public ProcessEvent observe(String correlationId, String specText, Match m) {
            Spec spec = specs.computeIfAbsent(specText, Spec::parse);
            if (spec.atWindowEnd()) {
                throw new IllegalStateException("correlation " + correlationId + " (" + String.join(", ", spec.ops())
                        + " on " + spec.type() + ": judged at the window end) was converted by an older procwatch:"
                        + " convert it again");
            }
            Window w = windows.computeIfAbsent(correlationId, k -> new HashMap<>())
                    .computeIfAbsent(key(spec, m), k -> new Window());
            w.entries.addLast(Entry.of(spec, m));
            // Sliding window [t - span, t]. Matches arrive in event-time order per session; a late one that is
            // older than the window's newest is kept and only ages out with the window.
            long newest = Math.max(m.getTime(), w.entries.peekLast().time());
            w.entries.removeIf(x -> x.time() < newest - spec.span());
            if (fires(spec, w.entries)) {
                w.entries.clear();
                return m.getEvent();
            }
            return null;
        }

        /**
         * Adds a match to the {@code lt}/{@code lte}/{@code eq} window of its group that covers its time; returns
         * the window it opened (to insert as a fact), or null when it joined an open one. A match older than the
         * group's oldest open window (out of order within the late-event allowance) joins that window.
         */
        public TumblingWindow collect(String correlationId, String specText, Match m) {
            Spec spec = specs.computeIfAbsent(specText, Spec::parse);
            List<String> key = key(spec, m);
            List<TumblingWindow> open = tumbling.computeIfAbsent(correlationId, k -> new HashMap<>())
                    .computeIfAbsent(key, k -> new ArrayList<>());
            long t = m.getTime();
            for (TumblingWindow w : open) {
                if (t <= w.end) {
                    w.entries.add(Entry.of(spec, m));
                    return null;
                }
            }
            // Later than every open window's end: windows are appended in start order.
            TumblingWindow w = new TumblingWindow(correlationId, spec, key, t);
            w.entries.add(Entry.of(spec, m));
            open.add(w);
            return w;
        }

        /**
         * Judges a window the watermark has passed and forgets it: when the count satisfies the condition, returns
         * the event to raise the correlation on (the group's latest event, timed at the window's end, when the
         * condition became certain), else null.
         */
        public ProcessEvent judge(TumblingWindow w) {
            Map<List<String>, List<TumblingWindow>> groups = tumbling.get(w.correlation);
            if (groups != null) {
                List<TumblingWindow> open = groups.get(w.key);
                if (open != null && open.remove(w) && open.isEmpty()) {
                    groups.remove(w.key);
                }
            }
            if (!w.spec.holds(count(w.spec, w.entries))) {
                return null;
            }
            Entry last = w.entries.get(0);
            for (Entry x : w.entries) {
                if (x.time() >= last.time()) {
                    last = x;
                }
            }
            ProcessEvent e = last.event();
            return e.withTime(w.end);
        }

        /** The correlations that hold matches: in a sliding window, or in an open window judged at its end. */
        public Set<String> correlations() {
            Set<String> out = new HashSet<>(tumbling.keySet());
            windows.forEach((id, groups) -> {
                if (groups.values().stream().anyMatch(w -> !w.entries.isEmpty())) {
                    out.add(id);
                }
            });
            return out;
        }

        /**
         * A rule reload: moves the windows of the correlations in {@code carried} (same id and definition in the new
         * rules) into {@code next}, the state of the replacing session, and forgets all of them here. Returns the
         * open {@link TumblingWindow}s moved, oldest first: the caller inserts them into the new session's working
         * memory, where its rules judge them when the watermark passes their end.
         */
        public List<TumblingWindow> handOver(State next, Set<String> carried) {
            List<TumblingWindow> open = new ArrayList<>();
            for (String id : carried) {
                Map<List<String>, Window> sliding = windows.get(id);
                if (sliding != null) {
                    next.windows.put(id, sliding);
                }
                Map<List<String>, List<TumblingWindow>> groups = tumbling.get(id);
                if (groups != null) {
                    next.tumbling.put(id, groups);
                    groups.values().forEach(open::addAll);
                }
            }
            windows.clear();
            tumbling.clear();
            open.sort(Comparator.comparingLong(TumblingWindow::getStart).thenComparing(TumblingWindow::getCorrelation));
            return open;
        }

        private static List<String> key(Spec spec, Match m) {
            List<String> key = new ArrayList<>(spec.groupBy().size());
            for (String f : spec.groupBy()) {
                key.add(m.getEvent().get(f));
            }
            return key;
        }

        private static long count(Spec spec, Collection<Entry> entries) {
            return switch (spec.type()) {
                // Events, not matches: one event that two of the named rules matched counts once.
                case "event_count" -> entries.stream().map(e -> new IdentityKey(e.event())).distinct().count();
                case "value_count" -> entries.stream().map(Entry::value).filter(v -> v != null).distinct().count();
                default -> entries.stream().map(Entry::rule).distinct().count();
            };
        }

        private static boolean fires(Spec spec, ArrayDeque<Entry> entries) {
            if (spec.type().equals("temporal_ordered")) {
                // Greedy leftmost: the named rules occur in this order within the window.
                int k = 0;
                List<Entry> sorted = new ArrayList<>(entries);
                sorted.sort((a, b) -> Long.compare(a.time(), b.time()));
                for (Entry x : sorted) {
                    if (k < spec.rules().size() && x.rule().equals(spec.rules().get(k))) {
                        k++;
                    }
                }
                return k == spec.rules().size();
            }
            if (spec.type().equals("temporal")) {
                Set<String> seen = new HashSet<>();
                entries.forEach(x -> seen.add(x.rule()));
                return spec.holds(seen.size());
            }
            return spec.holds(count(spec, entries));
        }
    }
}
