package io.procwatch.sigma;

import com.fasterxml.jackson.databind.JsonNode;
import io.procwatch.detect.Match;
import io.procwatch.normalize.ProcessEvent;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

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
 * <li>{@code gt}/{@code gte}/{@code eq} on {@code event_count} and {@code value_count}: checked on each match
 * over the window ending at it {@code [t - timespan, t]}; after firing, the group's window starts afresh.</li>
 * <li>{@code lt}/{@code lte}: need the window to end; a group's window starts at its first match and is judged
 * when a later match of the same correlation arrives after it ended.</li>
 * <li>{@code temporal}: every named rule (or at least {@code condition} of them) matched within the timespan,
 * any order; {@code temporal_ordered}: in the order listed.</li>
 * </ul>
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
            throw new SigmaException("missing id or title", "a correlation needs id and title");
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
        SigmaConverter.Ctx ctx = new SigmaConverter.Ctx();
        List<String> groupBy = new ArrayList<>();
        JsonNode g = c.path("group-by");
        if (g.isArray()) {
            g.forEach(x -> groupBy.add(conv.eventField(x.asText(), ctx)));
        } else if (g.isTextual()) {
            groupBy.add(conv.eventField(g.asText(), ctx));
        }
        JsonNode cond = c.path("condition");
        String op = null;
        long bound = 0;
        for (String o : List.of("gt", "gte", "lt", "lte", "eq")) {
            if (cond.has(o)) {
                op = o;
                bound = cond.get(o).asLong();
            }
        }
        String field = "";
        if (type.equals("value_count")) {
            if (!cond.hasNonNull("field")) {
                throw new SigmaException("value_count without field", "condition.field is missing");
            }
            field = conv.eventField(cond.get("field").asText(), ctx);
        }
        if (op == null) {
            if (type.startsWith("temporal")) {
                op = "gte";
                bound = rules.size();
            } else {
                throw new SigmaException("correlation condition", "condition needs gt, gte, lt, lte or eq");
            }
        }
        String spec = String.join("\u0001", type, Long.toString(span), op, Long.toString(bound), field,
                String.join("\u0002", groupBy), String.join("\u0002", rules));

        StringBuilder sb = new StringBuilder();
        sb.append("package io.procwatch.rules;\n\n");
        sb.append("// Converted from Sigma correlation \"").append(DrlWriter.oneLine(title)).append("\" (").append(id).append(")\n");
        sb.append("// source: ").append(source == null ? "(memory)" : source.getFileName()).append("\n");
        sb.append("// ").append(type).append(" over ").append(rules).append(", timespan ").append(ts.asText())
                .append(", group-by ").append(groupBy).append(", ").append(op).append(" ").append(bound)
                .append(field.isEmpty() ? "" : " distinct " + field).append("\n");
        sb.append("// Window state lives in SigmaCorrelations.State (Java), not in Match facts.\n\n");
        sb.append("import io.procwatch.detect.Match;\nimport io.procwatch.normalize.ProcessEvent;\n");
        sb.append("import io.procwatch.sigma.SigmaCorrelations;\n\n");
        sb.append("global io.procwatch.detect.Detections detections;\n\n");
        sb.append("rule ").append(SigmaConverter.str("Sigma correlation: " + DrlWriter.oneLine(title) + " [" + id + "]")).append("\n");
        List<String> notableGroup = new ArrayList<>(groupBy);
        if (notableGroup.isEmpty()) {
            notableGroup.add("dest");
        }
        DrlWriter.catalog(sb, doc, id, title, String.join(" ", notableGroup), "sysmon security");
        sb.append("    salience 50\n");
        sb.append("when\n    $s : SigmaCorrelations.State()\n    $m : Match( ruleId in ( ");
        for (int i = 0; i < rules.size(); i++) {
            sb.append(i > 0 ? ", " : "").append(SigmaConverter.str(rules.get(i)));
        }
        sb.append(" ), suppressedBy == null )\n");
        sb.append("then\n    ProcessEvent e = $s.observe( ").append(SigmaConverter.str(id)).append(", ")
                .append(SigmaConverter.str(spec)).append(", $m );\n");
        sb.append("    if ( e != null ) {\n        insert( detections.match( kcontext, e ) );\n    }\nend\n");
        return new SigmaConverter.Converted(id, title, stem + ".drl", sb.toString(), Set.of(), source, true);
    }

    /** The rule that gives each session its correlation state (once, before anything else). */
    public static String stateDrl() {
        return """
                package io.procwatch.rules;

                // Sigma correlations (generated by procwatch): one window state per session.
                import io.procwatch.sigma.SigmaCorrelations;

                rule "Sigma correlation state"
                    salience 10000
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

    private record Spec(String type, long span, String op, long bound, String field, List<String> groupBy,
                        List<String> rules) {
        static Spec parse(String s) {
            String[] p = s.split("\u0001", -1);
            return new Spec(p[0], Long.parseLong(p[1]), p[2], Long.parseLong(p[3]), p[4],
                    p[5].isEmpty() ? List.of() : Arrays.asList(p[5].split("\u0002")), Arrays.asList(p[6].split("\u0002")));
        }

        boolean holds(long n) {
            return switch (op) {
                case "gt" -> n > bound;
                case "gte" -> n >= bound;
                case "lt" -> n < bound;
                case "lte" -> n <= bound;
                default -> n == bound;
            };
        }

        boolean atWindowEnd() {
            return op.equals("lt") || op.equals("lte");
        }
    }

    private static final Map<String, Spec> SPECS = new ConcurrentHashMap<>();

    private record Entry(long time, String rule, String value, ProcessEvent event) {
    }

    private static final class Window {
        final ArrayDeque<Entry> entries = new ArrayDeque<>();
        long start = Long.MIN_VALUE;
    }

    /** The correlation windows of one session (a working-memory fact). */
    public static final class State {
        private final Map<String, Map<List<String>, Window>> windows = new HashMap<>();

        /**
         * Adds a match to its correlation window; returns the event to raise the correlation on when its
         * condition now holds, else null.
         */
        public ProcessEvent observe(String correlationId, String specText, Match m) {
            Spec spec = SPECS.computeIfAbsent(specText, Spec::parse);
            ProcessEvent e = m.getEvent();
            List<String> key = new ArrayList<>(spec.groupBy().size());
            for (String f : spec.groupBy()) {
                key.add(e.get(f));
            }
            Map<List<String>, Window> groups = windows.computeIfAbsent(correlationId, k -> new HashMap<>());
            long t = m.getTime();
            if (spec.atWindowEnd()) {
                return tumbling(spec, groups, key, t, m, e);
            }
            Window w = groups.computeIfAbsent(key, k -> new Window());
            w.entries.addLast(new Entry(t, m.getRuleId(), spec.field().isEmpty() ? null : e.get(spec.field()), e));
            // Sliding window [t - span, t]. Matches arrive in event-time order per session; a late one that is
            // older than the window's newest is kept and only ages out with the window.
            long newest = Math.max(t, w.entries.peekLast().time());
            w.entries.removeIf(x -> x.time() < newest - spec.span());
            if (fires(spec, w.entries)) {
                w.entries.clear();
                return e;
            }
            return null;
        }

        private ProcessEvent tumbling(Spec spec, Map<List<String>, Window> groups, List<String> key, long t, Match m,
                                      ProcessEvent e) {
            ProcessEvent out = null;
            // Judge every window of this correlation that has ended by t.
            for (Iterator<Map.Entry<List<String>, Window>> it = groups.entrySet().iterator(); it.hasNext(); ) {
                Window w = it.next().getValue();
                if (w.start + spec.span() < t) {
                    if (out == null && spec.holds(count(spec, w.entries))) {
                        out = w.entries.peekLast().event();
                    }
                    it.remove();
                }
            }
            Window w = groups.computeIfAbsent(key, k -> new Window());
            if (w.entries.isEmpty()) {
                w.start = t;
            }
            w.entries.addLast(new Entry(t, m.getRuleId(), spec.field().isEmpty() ? null : e.get(spec.field()), e));
            return out;
        }

        private static long count(Spec spec, ArrayDeque<Entry> entries) {
            return switch (spec.type()) {
                case "event_count" -> entries.size();
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
