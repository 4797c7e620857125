package io.procwatch.toolkit;

import io.procwatch.aggregate.ScheduleWindow;
import io.procwatch.detect.RiskLevels;
import io.procwatch.detect.RuleCompileException;
import io.procwatch.detect.RuleProblem;
import io.procwatch.detect.RuleSet;
import io.procwatch.toolkit.ValidationIssue.Severity;
import org.drools.drl.ast.descr.AnnotationDescr;
import org.drools.drl.ast.descr.PackageDescr;
import org.drools.drl.ast.descr.RuleDescr;
import org.drools.drl.parser.DrlParser;
import org.drools.drl.parser.DroolsError;
import org.drools.drl.parser.DroolsParserException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code procwatch validate}: compiles every DRL file of a rules folder and checks each detection's metadata
 * (the annotations {@link io.procwatch.detect.RuleCatalog} reads), the filter rules' conventions and that
 * every detection has a test spec. Every finding names its file and line.
 */
public final class RuleValidator {

    static final Pattern UUID = Pattern.compile("^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$");
    static final Pattern MITRE = Pattern.compile("^T\\d{4}(\\.\\d{3})?$");
    private static final Pattern TOKEN = Pattern.compile("\\$([A-Za-z0-9_.@-]+)\\$");
    private static final Pattern FILTER_RULE_ID = Pattern.compile("ruleId\\s*==\\s*\"([^\"]*)\"");
    private static final Set<String> RISK_OBJECT_TYPES = Set.of("system", "user", "other");
    private static final Set<String> DOMAINS = Set.of("endpoint", "network", "threat", "identity", "access", "audit", "cloud");

    /** A parsed DRL file: its text and the rules the Drools parser found in it. */
    record DrlFile(Path path, String text, List<RuleDescr> rules) {
    }

    private final List<ValidationIssue> issues = new ArrayList<>();

    private RuleValidator() {
    }

    /** Validates the {@code .drl} files under {@code dir}; specs are looked for in {@code dir/tests}. */
    public static List<ValidationIssue> validate(Path dir) throws IOException {
        Map<Path, String> files = RuleSet.readDrlFiles(dir);
        Set<String> specStems = new HashSet<>();
        Path tests = dir.resolve("tests");
        if (Files.isDirectory(tests)) {
            for (DetectionTestSpec spec : DetectionTestSpec.loadAll(tests)) {
                specStems.addAll(spec.detectionIds());
            }
        }
        return validate(files, Files.isDirectory(tests) ? specStems : null);
    }

    /**
     * Validates DRL texts held in memory.
     *
     * @param specIds detection ids that have a test spec, or {@code null} not to check for specs
     */
    public static List<ValidationIssue> validate(Map<Path, String> files, Set<String> specIds) {
        RuleValidator v = new RuleValidator();
        v.run(files, specIds);
        return List.copyOf(v.issues);
    }

    private void run(Map<Path, String> files, Set<String> specIds) {
        List<DrlFile> parsed = new ArrayList<>();
        for (Map.Entry<Path, String> f : files.entrySet()) {
            DrlParser parser = new DrlParser();
            try {
                PackageDescr pkg = parser.parse(false, f.getValue());
                if (parser.hasErrors()) {
                    for (DroolsError e : parser.getErrors()) {
                        int[] lines = e.getLines();
                        error(f.getKey(), lines != null && lines.length > 0 ? lines[0] : 0, null, e.getMessage().strip());
                    }
                }
                parsed.add(new DrlFile(f.getKey(), f.getValue(), pkg == null ? List.of() : pkg.getRules()));
            } catch (DroolsParserException e) {
                error(f.getKey(), e.getLineNumber(), null, "does not parse: " + e.getMessage());
            }
        }
        // Compile the whole set, as scan does: type errors, unknown fields and functions, broken consequences.
        Set<String> rulesWithMetadataErrors = new HashSet<>();
        Map<String, String> ids = new HashMap<>();
        for (DrlFile f : parsed) {
            for (RuleDescr r : f.rules()) {
                if (checkRule(f, r, ids, specIds)) {
                    rulesWithMetadataErrors.add(r.getName());
                }
            }
        }
        Set<String> detectionIds = new HashSet<>(ids.keySet());
        for (DrlFile f : parsed) {
            for (RuleDescr r : f.rules()) {
                if (!annotations(r).containsKey("id")) {
                    checkFilter(f, r, detectionIds);
                }
                checkFieldReferences(f, r);
            }
        }
        try {
            RuleSet.compile(files, "validate");
        } catch (RuleCompileException e) {
            for (RuleProblem p : e.problems()) {
                // Metadata problems the catalog reports again are already explained above, with their line.
                boolean duplicate = rulesWithMetadataErrors.stream().anyMatch(n -> p.message().startsWith("rule '" + n + "'"));
                if (!duplicate) {
                    issues.add(new ValidationIssue(Severity.ERROR, p.file(), p.line(), null, p.message()));
                }
            }
        }
    }

    /** Annotation values by name (Drools files {@code @description} under its own name in the descr). */
    static Map<String, AnnotationDescr> annotations(RuleDescr r) {
        Map<String, AnnotationDescr> m = new LinkedHashMap<>();
        for (AnnotationDescr a : r.getAnnotations()) {
            String n = a.getName();
            int dot = n.lastIndexOf('.');
            if (dot >= 0) {
                n = n.substring(dot + 1);
                n = Character.toLowerCase(n.charAt(0)) + n.substring(1);
            }
            m.put(n, a);
        }
        return m;
    }

    static String value(AnnotationDescr a) {
        if (a == null) {
            return null;
        }
        Object v = a.getSingleValue();
        if (v == null) {
            v = a.getValue();
        }
        if (v == null) {
            return "";
        }
        String s = v.toString().strip();
        if (s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"")) {
            s = s.substring(1, s.length() - 1);
        }
        return s;
    }

    /** @return true when the detection has metadata errors */
    private boolean checkRule(DrlFile f, RuleDescr r, Map<String, String> ids, Set<String> specIds) {
        Map<String, AnnotationDescr> md = annotations(r);
        String consequence = String.valueOf(r.getConsequence());
        int ruleLine = ruleLine(f, r);
        if (!md.containsKey("id")) {
            if (consequence.contains("detections.match")) {
                error(f.path(), ruleLine, r.getName(), "calls detections.match but has no @id, so it is not a detection");
                return true;
            }
            return false;
        }
        int before = errorCount();
        String name = r.getName();
        String id = value(md.get("id"));
        if (!UUID.matcher(id).matches()) {
            error(f.path(), line(f, r, "id"), name, "@id '" + id + "' is not a UUID");
        }
        String clash = ids.put(id, name);
        if (clash != null) {
            error(f.path(), line(f, r, "id"), name, "@id " + id + " is also used by rule '" + clash + "'");
        }
        for (String req : new String[]{"title", "description", "riskMessage"}) {
            String v = value(md.get(req));
            if (v == null || v.isBlank()) {
                error(f.path(), ruleLine, name, "missing @" + req);
            }
        }
        String score = value(md.get("riskScore"));
        String level = value(md.get("level"));
        if (score != null) {
            try {
                int s = Integer.parseInt(score.strip());
                if (s < 0 || s > 100) {
                    error(f.path(), line(f, r, "riskScore"), name, "@riskScore " + s + " is outside 0–100");
                }
            } catch (NumberFormatException e) {
                error(f.path(), line(f, r, "riskScore"), name, "@riskScore '" + score + "' is not a whole number");
            }
        } else if (level != null) {
            try {
                RiskLevels.scoreOfLevel(level);
            } catch (IllegalArgumentException e) {
                error(f.path(), line(f, r, "level"), name, "@level '" + level + "' is not one of "
                        + new java.util.TreeSet<>(RiskLevels.LEVEL_SCORE.keySet()));
            }
        } else {
            error(f.path(), ruleLine, name, "needs @riskScore (0–100) or @level");
        }
        String riskObject = value(md.get("riskObject"));
        if (riskObject == null || riskObject.isBlank()) {
            error(f.path(), ruleLine, name, "missing @riskObject");
        } else if (!EventFields.known(riskObject)) {
            error(f.path(), line(f, r, "riskObject"), name, "@riskObject '" + riskObject + "' is not a field of ProcessEvent");
        }
        String rot = value(md.get("riskObjectType"));
        if (rot != null && !RISK_OBJECT_TYPES.contains(rot)) {
            warn(f.path(), line(f, r, "riskObjectType"), name, "@riskObjectType '" + rot + "' is not one of " + RISK_OBJECT_TYPES);
        }
        String msg = value(md.get("riskMessage"));
        if (msg != null) {
            Matcher m = TOKEN.matcher(msg);
            while (m.find()) {
                if (!EventFields.known(m.group(1))) {
                    warn(f.path(), line(f, r, "riskMessage"), name, "@riskMessage names $" + m.group(1)
                            + "$, which is not a field of ProcessEvent (it will be empty)");
                }
            }
        }
        String mitre = value(md.get("mitre"));
        if (mitre == null || mitre.isBlank()) {
            warn(f.path(), ruleLine, name, "no @mitre technique ids");
        } else {
            for (String t : list(mitre)) {
                if (!MITRE.matcher(t).matches()) {
                    error(f.path(), line(f, r, "mitre"), name, "@mitre '" + t + "' is not a technique id (T#### or T####.###)");
                }
            }
        }
        String domain = value(md.get("securityDomain"));
        if (domain != null && !DOMAINS.contains(domain)) {
            warn(f.path(), line(f, r, "securityDomain"), name, "@securityDomain '" + domain + "' is not one of " + DOMAINS);
        }
        try {
            ScheduleWindow.fromSplunk(orElse(value(md.get("schedule")), "0 * * * *"),
                    orElse(value(md.get("earliest")), "-70m@m"), orElse(value(md.get("latest")), "-10m@m"));
        } catch (RuntimeException e) {
            // Point at the annotation the message quotes first (earliest/latest for a span, schedule for cron).
            String at = "schedule";
            int best = Integer.MAX_VALUE;
            for (String k : new String[]{"schedule", "earliest", "latest"}) {
                String v = value(md.get(k));
                int pos = v == null ? -1 : String.valueOf(e.getMessage()).indexOf("'" + v + "'");
                if (pos >= 0 && pos < best) {
                    best = pos;
                    at = k;
                }
            }
            error(f.path(), line(f, r, at), name, "@schedule/@earliest/@latest: " + e.getMessage());
        }
        String groupBy = value(md.get("groupBy"));
        if (groupBy == null || groupBy.isBlank()) {
            error(f.path(), ruleLine, name, "missing @groupBy (the fields a notable is grouped by)");
        } else {
            Set<String> seen = new HashSet<>();
            for (String g : list(groupBy)) {
                if (!EventFields.known(g)) {
                    error(f.path(), line(f, r, "groupBy"), name, "@groupBy field '" + g + "' is not a field of ProcessEvent");
                }
                if (!seen.add(g)) {
                    warn(f.path(), line(f, r, "groupBy"), name, "@groupBy names '" + g + "' twice");
                }
            }
        }
        String notable = value(md.get("notableFields"));
        if (notable != null) {
            for (String g : list(notable)) {
                if (!EventFields.known(g)) {
                    warn(f.path(), line(f, r, "notableFields"), name, "@notableFields field '" + g + "' is not a field of ProcessEvent");
                }
            }
        }
        if (!consequence.contains("detections.match")) {
            error(f.path(), ruleLine, name, "has @id but its consequence never calls detections.match( kcontext, $e )");
        }
        if (specIds != null && UUID.matcher(id).matches() && !specIds.contains(id)) {
            warn(f.path(), ruleLine, name, "no test spec under tests/ names detection " + id);
        }
        return errorCount() > before;
    }

    private void checkFilter(DrlFile f, RuleDescr r, Set<String> detectionIds) {
        if (!f.path().getFileName().toString().endsWith("_filter.drl")) {
            return;
        }
        int ruleLine = ruleLine(f, r);
        String salience = r.getSalience();
        if (salience == null || !salience.strip().equals("100")) {
            warn(f.path(), ruleLine, r.getName(), "filter rules need salience 100 to run before the match is counted");
        }
        String block = ruleText(f, r);
        Matcher m = FILTER_RULE_ID.matcher(block);
        if (!m.find()) {
            warn(f.path(), ruleLine, r.getName(), "filter does not select a detection (Match( ruleId == \"<@id>\", … ))");
        } else if (!detectionIds.contains(m.group(1))) {
            error(f.path(), ruleLine, r.getName(), "filter selects ruleId \"" + m.group(1) + "\", which no detection has");
        }
        if (!block.contains("suppress(")) {
            warn(f.path(), ruleLine, r.getName(), "filter never calls suppress(…) inside modify");
        }
    }

    /** {@code lc("…")}, {@code has("…")}, {@code get("…")} name fields a process event can carry. */
    private void checkFieldReferences(DrlFile f, RuleDescr r) {
        int start = f.text().indexOf("rule \"" + r.getName() + "\"");
        if (start < 0) {
            return;
        }
        for (FieldReferences.Unknown u : FieldReferences.unknown(ruleText(f, r))) {
            error(f.path(), lineOf(f.text(), start + u.offset()), r.getName(), u.message());
        }
    }

    private static String orElse(String v, String d) {
        return v == null || v.isBlank() ? d : v;
    }

    static List<String> list(String s) {
        return java.util.Arrays.stream(s.split("[,\\s]+")).filter(x -> !x.isEmpty()).toList();
    }

    /** The 1-based line of {@code rule "name"} in the file. */
    static int ruleLine(DrlFile f, RuleDescr r) {
        int at = f.text().indexOf("rule \"" + r.getName() + "\"");
        if (at < 0) {
            return r.getLine() > 0 ? r.getLine() : 0;
        }
        return lineOf(f.text(), at);
    }

    /** The text of the rule from its {@code rule} line to its {@code end}. */
    private static String ruleText(DrlFile f, RuleDescr r) {
        int at = f.text().indexOf("rule \"" + r.getName() + "\"");
        if (at < 0) {
            return "";
        }
        Matcher end = Pattern.compile("(?m)^\\s*end\\s*$").matcher(f.text());
        return end.find(at) ? f.text().substring(at, end.end()) : f.text().substring(at);
    }

    /** The line of annotation {@code @name} inside the rule, else the rule's line. */
    private static int line(DrlFile f, RuleDescr r, String annotation) {
        int start = f.text().indexOf("rule \"" + r.getName() + "\"");
        if (start < 0) {
            return ruleLine(f, r);
        }
        Matcher m = Pattern.compile("@" + Pattern.quote(annotation) + "\\s*\\(").matcher(f.text());
        return m.find(start) ? lineOf(f.text(), m.start()) : ruleLine(f, r);
    }

    static int lineOf(String text, int offset) {
        int n = 1;
        for (int i = 0; i < offset; i++) {
            if (text.charAt(i) == '\n') {
                n++;
            }
        }
        return n;
    }

    private int errorCount() {
        return (int) issues.stream().filter(ValidationIssue::isError).count();
    }

    private void error(Path file, int line, String rule, String message) {
        issues.add(new ValidationIssue(Severity.ERROR, file.toString(), line, rule, message));
    }

    private void warn(Path file, int line, String rule, String message) {
        issues.add(new ValidationIssue(Severity.WARNING, file.toString(), line, rule, message));
    }
}
