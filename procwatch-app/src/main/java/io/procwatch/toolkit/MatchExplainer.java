package io.procwatch.toolkit;

import io.procwatch.aggregate.NotableCollector;
import io.procwatch.detect.DetectionRule;
import io.procwatch.detect.Detections;
import io.procwatch.detect.Match;
import io.procwatch.detect.RuleSet;
import io.procwatch.normalize.ProcessEvent;
import io.procwatch.sigma.SigmaCandidate;
import io.procwatch.sigma.SigmaPrefilter;
import io.procwatch.sigma.SigmaRuntime;
import org.drools.drl.ast.descr.BaseDescr;
import org.drools.drl.ast.descr.ExprConstraintDescr;
import org.drools.drl.ast.descr.FunctionImportDescr;
import org.drools.drl.ast.descr.GlobalDescr;
import org.drools.drl.ast.descr.ImportDescr;
import org.drools.drl.ast.descr.PackageDescr;
import org.drools.drl.ast.descr.PatternDescr;
import org.drools.drl.ast.descr.RuleDescr;
import org.drools.drl.parser.DrlParser;
import org.drools.drl.parser.DroolsParserException;
import org.kie.api.KieBase;
import org.kie.api.KieServices;
import org.kie.api.builder.KieBuilder;
import org.kie.api.builder.KieFileSystem;
import org.kie.api.builder.Message;
import org.kie.api.builder.ReleaseId;
import org.kie.api.definition.rule.Rule;
import org.kie.api.event.rule.DefaultAgendaEventListener;
import org.kie.api.event.rule.DefaultRuleRuntimeEventListener;
import org.kie.api.event.rule.AfterMatchFiredEvent;
import org.kie.api.event.rule.ObjectInsertedEvent;
import org.kie.api.runtime.KieSession;
import org.kie.api.runtime.rule.RuleContext;

import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code procwatch explain}: why a detection did or did not fire on one event.
 *
 * <p>The detection's DRL is parsed with Drools' own parser; each top-level constraint of its
 * {@code ProcessEvent( … )} pattern, and each branch of a top-level {@code ||}, becomes a probe rule of its own,
 * compiled together into a small KieBase and evaluated against the event, so every truth value comes from
 * Drools' semantics ({@code contains}, {@code ==}, null handling), not a re-implementation. The filter rules of
 * the detection ({@code Match( ruleId == "<id>", … )}) are probed the same way against a fresh match. Finally the
 * event runs through a session of the real rule set, which says whether the detection fired and which filter,
 * if any, suppressed the match.
 */
public final class MatchExplainer {

    private static final Pattern FIELD = Pattern.compile("(?:lc|get|has|re)\\(\\s*\"([^\"]+)\"");

    /** One evaluated condition; {@code branches} holds the {@code ||} parts of an OR condition. */
    public record Condition(String expression, Boolean held, List<Condition> branches, String error) {
        /** {@code null} held means the probe could not be evaluated (see error). */
        public boolean isOr() {
            return !branches.isEmpty();
        }
    }

    /** The conditions of one filter rule and whether it suppressed the match. */
    public record FilterResult(String ruleName, String file, List<Condition> conditions, boolean suppressed) {
    }

    /**
     * The explanation.
     *
     * @param rule        the detection
     * @param file        the DRL file of the detection
     * @param conditions  the detection's conditions, in DRL order
     * @param filters     the detection's filter rules
     * @param fired       whether the detection fired in a real session
     * @param suppressedBy the filter rule that suppressed the match, or {@code null}
     */
    public record Explanation(DetectionRule rule, String file, ProcessEvent event, List<Condition> conditions,
                              List<FilterResult> filters, boolean fired, String suppressedBy, Prefilter prefilter) {

        /** The outcome in one sentence. */
        public String verdict() {
            if (fired && suppressedBy != null) {
                return "FIRED, but the match was SUPPRESSED by filter rule '" + suppressedBy + "' (no notable)";
            }
            if (fired) {
                return "FIRED: the event is a match and counts towards a notable";
            }
            List<String> failed = new ArrayList<>();
            for (Condition c : conditions) {
                if (!Boolean.TRUE.equals(c.held())) {
                    failed.add(c.expression());
                }
            }
            if (failed.isEmpty() && prefilter != null) {
                return "DID NOT FIRE: every condition held, but " + (!prefilter.candidate()
                        ? "a clause of the rule's guard has no needle in the event, so the prefilter did not hand the event to it (the "
                        + "guard is derived from the compiled constraints, so this points at a guard derivation bug: please report it)"
                        : "no candidate reached the rule (is the prefilter rule, sigma_prefilter.drl, among the rules?)");
            }
            return "DID NOT FIRE: " + (failed.isEmpty() ? "every condition held, but the rule did not fire (check the "
                    + "pattern's object type and other patterns)" : failed.size() + " condition"
                    + (failed.size() == 1 ? "" : "s") + " false: " + String.join(" ; ", failed));
        }

        /** The report {@code procwatch explain} prints. */
        public String text() {
            StringBuilder sb = new StringBuilder();
            sb.append("Detection: ").append(rule.title()).append(" (").append(rule.id()).append(")\n");
            sb.append("Rule:      \"").append(rule.ruleName()).append("\" in ").append(file).append('\n');
            sb.append("Event:     ").append(event.getOrigin()).append("  ").append(event.getLogSource()).append(" EID ")
                    .append(event.getEventId()).append("  ").append(java.time.Instant.ofEpochMilli(event.getTime())).append('\n');
            Set<String> fields = new LinkedHashSet<>();
            conditions.forEach(c -> collectFields(c, fields));
            filters.forEach(f -> f.conditions().forEach(c -> collectFields(c, fields)));
            for (String f : fields) {
                String v = event.get(f);
                sb.append("  ").append(f).append(" = ").append(v == null ? "(absent)" : "\"" + v + "\"").append('\n');
            }
            if (prefilter != null) {
                // A converted Sigma rule: the prefilter only decides whether Drools looks at the rule for this event.
                sb.append("\nPrefilter guard: ").append(prefilter.guard() == null ? "none (Drools evaluates the rule on every event)"
                        : !prefilter.candidate() ? prefilter.guard() + " does not hold: found "
                        + (prefilter.hits().isEmpty() ? "no needle" : String.join(", ", prefilter.hits())) + " (the rule is not a candidate)"
                        : "found " + String.join(", ", prefilter.hits())).append('\n');
            }
            sb.append("\nConditions (all must hold):\n");
            for (Condition c : conditions) {
                line(sb, "  ", c);
            }
            sb.append("\nFilters:\n");
            if (filters.isEmpty()) {
                sb.append("  (no filter rule selects this detection)\n");
            }
            for (FilterResult f : filters) {
                sb.append("  rule \"").append(f.ruleName()).append("\" (").append(f.file()).append(")")
                        .append(f.suppressed() ? ": SUPPRESSED the match" : ": did not suppress").append('\n');
                for (Condition c : f.conditions()) {
                    line(sb, "    ", c);
                }
            }
            sb.append("\nResult: ").append(verdict()).append('\n');
            return sb.toString();
        }

        private static void line(StringBuilder sb, String indent, Condition c) {
            sb.append(indent).append(mark(c.held())).append(' ').append(c.isOr() ? "any of:" : c.expression());
            if (c.error() != null) {
                sb.append("   (not evaluated: ").append(c.error()).append(')');
            }
            sb.append('\n');
            for (Condition b : c.branches()) {
                line(sb, indent + "      ", b);
            }
        }

        private static String mark(Boolean b) {
            return b == null ? "[ ?? ]" : b ? "[true]" : "[FALSE]";
        }

        private static void collectFields(Condition c, Set<String> out) {
            Matcher m = FIELD.matcher(c.expression());
            while (m.find()) {
                out.add(m.group(1));
            }
            c.branches().forEach(b -> collectFields(b, out));
        }
    }

    /**
     * A converted Sigma rule's prefilter guard (derived from its constraints, null when it has none), which of its
     * needles occur in the event, and whether every clause has one (the rule is then a candidate). Index information
     * only: the rule's conditions above are Drools' own verdict.
     */
    public record Prefilter(String guard, List<String> hits, boolean candidate) {
    }

    private record ParsedRule(Path file, PackageDescr pkg, RuleDescr rule) {
    }

    private record Probe(String name, String pattern, String expression, List<String> imports) {
    }

    /** The pattern types whose constraints are probed: a hand-written detection's, a converted Sigma rule's. */
    private static final List<String> DETECTION_TYPES = List.of("ProcessEvent", "SigmaCandidate");

    private MatchExplainer() {
    }

    /**
     * @param rules    the compiled rule set (from {@code drlFiles})
     * @param drlFiles the DRL texts the rule set was compiled from, by path
     * @param ruleId   the detection's {@code @id} (or its DRL rule name)
     * @param event    the event to explain
     * @throws IllegalArgumentException when no detection has that id
     */
    public static Explanation explain(RuleSet rules, Map<Path, String> drlFiles, String ruleId, ProcessEvent event) {
        DetectionRule byId = rules.catalog().byId(ruleId);
        DetectionRule d = byId != null ? byId
                : rules.catalog().detections().stream().filter(x -> x.ruleName().equals(ruleId)).findFirst().orElse(null);
        if (d == null) {
            throw new IllegalArgumentException("no detection with @id " + ruleId + "; known: "
                    + rules.catalog().detections().stream().map(x -> x.id() + " (" + x.title() + ")").toList());
        }
        List<ParsedRule> parsed = parse(drlFiles);
        ParsedRule detection = parsed.stream().filter(p -> p.rule().getName().equals(d_name(d))).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("rule \"" + d_name(d) + "\" not found in the DRL files"));
        List<ParsedRule> filterRules = new ArrayList<>();
        Pattern selects = Pattern.compile("ruleId\\s*==\\s*\"" + Pattern.quote(d.id()) + "\"");
        for (ParsedRule p : parsed) {
            if (p != detection && pattern(p.rule(), "Match") != null
                    && constraints(pattern(p.rule(), "Match")).stream().anyMatch(c -> selects.matcher(c).find())) {
                filterRules.add(p);
            }
        }

        // Probes: one rule per condition and per OR branch.
        List<Probe> probes = new ArrayList<>();
        PatternDescr ep = null;
        for (String type : DETECTION_TYPES) {
            ep = ep != null ? ep : pattern(detection.rule(), type);
        }
        String dType = ep == null ? "ProcessEvent" : ep.getObjectType().replaceAll(".*\\.", "");
        List<String> dConds = ep == null ? List.of() : constraints(ep);
        addProbes("d", dType, dConds, imports(detection.pkg()), probes);
        for (int i = 0; i < filterRules.size(); i++) {
            addProbes("f" + i + "_", "Match", constraints(pattern(filterRules.get(i).rule(), "Match")),
                    imports(filterRules.get(i).pkg()), probes);
        }
        Map<String, Boolean> results = new LinkedHashMap<>();
        Map<String, String> errors = new LinkedHashMap<>();
        Match fresh = freshMatch(rules, d, event);
        Map<String, Object> globals = new LinkedHashMap<>();
        for (ParsedRule p : parsed) {
            for (GlobalDescr g : p.pkg().getGlobals()) {
                Object value = rules.global(g.getIdentifier());
                if (value != null) {
                    globals.put("global " + g.getType() + " " + g.getIdentifier(), value);
                }
            }
        }
        SigmaRuntime sigma = SigmaRuntime.of(rules);
        SigmaCandidate candidate = new SigmaCandidate(d.id(), event, sigma == null ? null : sigma.regexes());
        evaluate(probes, List.of(event, fresh, candidate), globals, results, errors);

        List<Condition> conditions = conditions("d", dConds, results, errors);
        // The real session: did the detection fire, and did a filter suppress its match?
        boolean[] fired = new boolean[1];
        List<Match> matches = new ArrayList<>();
        NotableCollector collector = new NotableCollector();
        Map<String, Object> sessionGlobals = new java.util.HashMap<>();
        sessionGlobals.put("detections", new Detections(rules.catalog()));
        sessionGlobals.put("notables", collector);
        sessionGlobals.put(io.procwatch.risk.RiskSession.GLOBAL, io.procwatch.risk.RiskSession.actionsFor(rules, collector));
        KieSession s = rules.newSession(true, sessionGlobals);
        try {
            io.procwatch.risk.RiskSession.start(s, rules);
            String name = d.ruleName();
            s.addEventListener(new DefaultAgendaEventListener() {
                @Override
                public void afterMatchFired(AfterMatchFiredEvent e) {
                    if (e.getMatch().getRule().getName().equals(name)) {
                        fired[0] = true;
                    }
                }
            });
            s.addEventListener(new DefaultRuleRuntimeEventListener() {
                @Override
                public void objectInserted(ObjectInsertedEvent e) {
                    if (e.getObject() instanceof Match m && m.getRuleId().equals(d.id())) {
                        matches.add(m);
                    }
                }
            });
            s.insert(event);
            s.fireAllRules();
        } finally {
            s.dispose();
        }
        String suppressedBy = matches.stream().map(Match::getSuppressedBy).filter(x -> x != null).findFirst().orElse(null);
        List<FilterResult> filters = new ArrayList<>();
        for (int i = 0; i < filterRules.size(); i++) {
            ParsedRule f = filterRules.get(i);
            filters.add(new FilterResult(f.rule().getName(), f.file().toString(),
                    conditions("f" + i + "_", constraints(pattern(f.rule(), "Match")), results, errors),
                    f.rule().getName().equals(suppressedBy)));
        }
        return new Explanation(d, detection.file().toString(), event, conditions, filters, fired[0], suppressedBy,
                prefilter(rules, d, event));
    }

    /** For a converted Sigma rule ({@code @sigmaRule}), its prefilter guard and the needles found; else null. */
    private static Prefilter prefilter(RuleSet rules, DetectionRule d, ProcessEvent event) {
        SigmaRuntime sigma = SigmaRuntime.of(rules);
        for (org.kie.api.definition.KiePackage p : rules.kieBase().getKiePackages()) {
            for (Rule r : p.getRules()) {
                if (r.getName().equals(d.ruleName()) && r.getMetaData().get("sigmaRule") != null && sigma != null) {
                    String guard = sigma.prefilter().guard(d.id());
                    ProcessEvent probe = event.withTime(event.getTime());
                    return guard == null ? new Prefilter(null, List.of(), true)
                            : new Prefilter(guard, SigmaPrefilter.guardHits(guard, probe), SigmaPrefilter.guardHolds(guard, probe));
                }
            }
        }
        return null;
    }

    private static String d_name(DetectionRule d) {
        return d.ruleName();
    }

    private static List<ParsedRule> parse(Map<Path, String> drlFiles) {
        List<ParsedRule> out = new ArrayList<>();
        for (Map.Entry<Path, String> f : drlFiles.entrySet()) {
            try {
                PackageDescr pkg = new DrlParser().parse(false, f.getValue());
                if (pkg != null) {
                    for (RuleDescr r : pkg.getRules()) {
                        out.add(new ParsedRule(f.getKey(), pkg, r));
                    }
                }
            } catch (DroolsParserException e) {
                throw new IllegalArgumentException(f.getKey() + ": does not parse: " + e.getMessage(), e);
            }
        }
        return out;
    }

    /** The package's imports as the probe file writes them: types, and {@code function …} for function imports. */
    private static List<String> imports(PackageDescr pkg) {
        List<String> out = new ArrayList<>();
        for (ImportDescr i : pkg.getImports()) {
            out.add(i.getTarget());
        }
        for (FunctionImportDescr i : pkg.getFunctionImports()) {
            out.add("function " + i.getTarget());
        }
        return out;
    }

    /** The first top-level pattern of the rule on this type (simple name), or null. */
    private static PatternDescr pattern(RuleDescr r, String type) {
        for (BaseDescr b : r.getLhs().getDescrs()) {
            if (b instanceof PatternDescr p && (p.getObjectType().equals(type) || p.getObjectType().endsWith("." + type))) {
                return p;
            }
        }
        return null;
    }

    private static List<String> constraints(PatternDescr p) {
        List<String> out = new ArrayList<>();
        for (BaseDescr b : p.getDescrs()) {
            String text = b instanceof ExprConstraintDescr e ? e.getExpression() : b.getText();
            // A binding alone ($e : event) is no condition.
            if (text != null && !text.isBlank() && !normalize(text).matches("\\$\\w+ ?: ?[\\w.]+")) {
                out.add(normalize(text));
            }
        }
        return out;
    }

    /** Drops comments and collapses white space (the parser keeps a constraint's text as written). */
    static String normalize(String expr) {
        return expr.replaceAll("(?m)//[^\\n\"]*$", " ").replaceAll("\\s+", " ").strip();
    }

    private static void addProbes(String prefix, String type, List<String> conds, List<String> imports, List<Probe> probes) {
        for (int i = 0; i < conds.size(); i++) {
            probes.add(new Probe(prefix + i, type, conds.get(i), imports));
            List<String> branches = splitOr(conds.get(i));
            if (branches.size() > 1) {
                for (int j = 0; j < branches.size(); j++) {
                    probes.add(new Probe(prefix + i + "_" + j, type, branches.get(j), imports));
                }
            }
        }
    }

    private static List<Condition> conditions(String prefix, List<String> conds, Map<String, Boolean> results,
                                              Map<String, String> errors) {
        List<Condition> out = new ArrayList<>();
        for (int i = 0; i < conds.size(); i++) {
            List<String> parts = splitOr(conds.get(i));
            List<Condition> branches = new ArrayList<>();
            if (parts.size() > 1) {
                for (int j = 0; j < parts.size(); j++) {
                    String n = prefix + i + "_" + j;
                    branches.add(new Condition(parts.get(j), result(n, results, errors), List.of(), errors.get(n)));
                }
            }
            String n = prefix + i;
            out.add(new Condition(conds.get(i), result(n, results, errors), branches, errors.get(n)));
        }
        return out;
    }

    private static Boolean result(String name, Map<String, Boolean> results, Map<String, String> errors) {
        return errors.containsKey(name) ? null : results.getOrDefault(name, false);
    }

    /** Splits an expression on the {@code ||} operators that are outside quotes and parentheses. */
    static List<String> splitOr(String expr) {
        String e = expr.strip();
        while (e.startsWith("(") && matchingParen(e, 0) == e.length() - 1) {
            e = e.substring(1, e.length() - 1).strip();
        }
        List<String> parts = new ArrayList<>();
        int depth = 0;
        boolean quoted = false;
        int start = 0;
        for (int i = 0; i < e.length(); i++) {
            char c = e.charAt(i);
            if (c == '\\' && quoted) {
                i++;
            } else if (c == '"') {
                quoted = !quoted;
            } else if (!quoted && (c == '(' || c == '[')) {
                depth++;
            } else if (!quoted && (c == ')' || c == ']')) {
                depth--;
            } else if (!quoted && depth == 0 && c == '|' && i + 1 < e.length() && e.charAt(i + 1) == '|') {
                parts.add(e.substring(start, i).strip());
                start = i + 2;
                i++;
            }
        }
        parts.add(e.substring(start).strip());
        return parts;
    }

    private static int matchingParen(String s, int open) {
        int depth = 0;
        boolean quoted = false;
        for (int i = open; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && quoted) {
                i++;
            } else if (c == '"') {
                quoted = !quoted;
            } else if (!quoted && c == '(') {
                depth++;
            } else if (!quoted && c == ')' && --depth == 0) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Compiles every probe into one KieBase and fires it on {@code facts} (the event, a fresh unsuppressed match, a
     * candidate of the detection), with the rule set's own objects for the globals the rules declare.
     */
    private static void evaluate(List<Probe> probes, List<Object> facts, Map<String, Object> globals,
                                 Map<String, Boolean> results, Map<String, String> errors) {
        List<Probe> good = new ArrayList<>(probes);
        // A probe that does not compile on its own (rare: it uses a binding of another constraint) is reported
        // as not evaluated; the others are retried without it.
        for (int attempt = 0; attempt < 5 && !good.isEmpty(); attempt++) {
            KieServices ks = KieServices.Factory.get();
            KieFileSystem kfs = ks.newKieFileSystem();
            ReleaseId release = ks.newReleaseId("io.procwatch.explain", "probe-" + UUID.randomUUID(), "1.0.0");
            kfs.generateAndWritePomXML(release);
            Set<String> imports = new LinkedHashSet<>(List.of(ProcessEvent.class.getName(), Match.class.getName(),
                    SigmaCandidate.class.getName()));
            good.forEach(p -> imports.addAll(p.imports()));
            StringBuilder drl = new StringBuilder("package io.procwatch.explain;\n");
            imports.forEach(i -> drl.append("import ").append(i).append(";\n"));
            drl.append("global java.util.Set probes;\n");
            globals.keySet().forEach(g -> drl.append(g).append(";\n"));
            Map<Integer, Probe> byLine = new LinkedHashMap<>();
            for (Probe p : good) {
                drl.append("rule \"").append(p.name()).append("\"\nwhen\n");
                byLine.put(RuleValidator.lineOf(drl.toString(), drl.length()), p);
                drl.append("    ").append(p.pattern()).append("( ").append(p.expression()).append(" )\nthen\n")
                        .append("    probes.add( \"").append(p.name()).append("\" );\nend\n");
            }
            kfs.write("src/main/resources/io/procwatch/explain/probes.drl", drl.toString());
            KieBuilder kb = ks.newKieBuilder(kfs).buildAll();
            List<Message> errs = kb.getResults().getMessages(Message.Level.ERROR);
            if (!errs.isEmpty()) {
                Set<Probe> bad = new HashSet<>();
                for (Message m : errs) {
                    Probe p = byLine.get(m.getLine());
                    if (p == null) {
                        // Unplaceable error: mark every probe as not evaluated.
                        good.forEach(x -> errors.put(x.name(), m.getText().strip().lines().findFirst().orElse("")));
                        return;
                    }
                    bad.add(p);
                    errors.put(p.name(), m.getText().strip().lines().findFirst().orElse("does not compile"));
                }
                good.removeAll(bad);
                continue;
            }
            KieBase base = ks.newKieContainer(release).getKieBase();
            KieSession s = base.newKieSession();
            Set<String> fired = new HashSet<>();
            try {
                s.setGlobal("probes", fired);
                globals.forEach((g, v) -> s.setGlobal(g.substring(g.lastIndexOf(' ') + 1), v));
                facts.forEach(s::insert);
                s.fireAllRules();
            } finally {
                s.dispose();
            }
            for (Probe p : good) {
                results.put(p.name(), fired.contains(p.name()));
            }
            return;
        }
    }

    /** A match of the detection on the event as the rule's right-hand side would make it, before any filter. */
    private static Match freshMatch(RuleSet rules, DetectionRule d, ProcessEvent event) {
        Rule rule = (Rule) Proxy.newProxyInstance(Rule.class.getClassLoader(), new Class<?>[]{Rule.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "getName" -> d.ruleName();
                    case "getPackageName" -> d.packageName();
                    case "toString" -> d.ruleName();
                    case "hashCode" -> d.ruleName().hashCode();
                    case "equals" -> proxy == args[0];
                    default -> null;
                });
        RuleContext ctx = (RuleContext) Proxy.newProxyInstance(RuleContext.class.getClassLoader(),
                new Class<?>[]{RuleContext.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getRule" -> rule;
                    case "hashCode" -> 0;
                    case "equals" -> proxy == args[0];
                    case "toString" -> "explain";
                    default -> null;
                });
        return new Detections(rules.catalog()).match(ctx, event);
    }
}
