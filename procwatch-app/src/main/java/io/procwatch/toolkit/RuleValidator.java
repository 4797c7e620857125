package io.procwatch.toolkit;

import io.procwatch.detect.Phase;
import io.procwatch.detect.RuleMetadata;
import io.procwatch.detect.RuleCompileException;
import io.procwatch.detect.RuleProblem;
import io.procwatch.detect.RuleSet;
import io.procwatch.lookup.LookupFileException;
import io.procwatch.lookup.Lookups;
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

    private static final Pattern UUID = Pattern.compile("^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$");
    private static final Pattern FILTER_RULE_ID = Pattern.compile("ruleId\\s*==\\s*\"([^\"]*)\"");
    /** A salience number followed by its phase name: {@code salience 100  // Phase.FILTER}. */
    private static final Pattern PHASE_TAG = Pattern.compile("salience\\s*\\(?\\s*-?\\d+\\s*\\)?[ \\t]*//[ \\t]*Phase\\.(\\w+)");
    private static final Set<Phase> DETECTION_PHASES = Set.of(Phase.DETECT, Phase.CORRELATE_CHECK, Phase.CORRELATE, Phase.CORRELATE_JUDGE);

    /** A parsed DRL file: its text and the rules the Drools parser found in it. */
    record DrlFile(Path path, String text, List<RuleDescr> rules) {
    }

    private final List<ValidationIssue> issues = new ArrayList<>();
    /** The metadata parser the engine's catalog uses too, here also checking field names. */
    private final RuleMetadata metadata = new RuleMetadata(EventFields::known);

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
        List<ValidationIssue> issues = new ArrayList<>(validate(files, Files.isDirectory(tests) ? specStems : null));
        try {
            Lookups.fromRulesDirectory(dir);
        } catch (LookupFileException e) {
            issues.add(new ValidationIssue(ValidationIssue.Severity.ERROR, e.file().toString(), e.line(), null,
                    e.problem()));
        }
        return issues;
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
                Phase phase = checkPhase(f, r);
                if (!annotations(r).containsKey("id")) {
                    checkFilter(f, r, phase, detectionIds);
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
        if (md.containsKey("incidentId")) {
            int before = errorCount();
            RiskAnnotationChecks.incident(r.getName(), md, ruleText(f, r), (isError, at, finding) -> {
                if (isError) {
                    error(f.path(), line(f, r, at), r.getName(), finding);
                } else {
                    warn(f.path(), line(f, r, at), r.getName(), finding);
                }
            });
            return errorCount() > before;
        }
        if (!md.containsKey("id")) {
            if (consequence.contains("detections.match")) {
                error(f.path(), ruleLine, r.getName(), "calls detections.match but has no @id, so it is not a detection");
                return true;
            }
            return false;
        }
        int before = errorCount();
        String name = r.getName();
        Map<String, String> values = new HashMap<>();
        md.forEach((k, a) -> values.put(k, value(a)));
        String id = values.get("id");
        for (RuleMetadata.Problem p : metadata.read(name, "", values).problems()) {
            int at = p.annotation() == null ? ruleLine : line(f, r, p.annotation());
            if (p.error()) {
                error(f.path(), at, name, p.message());
            } else {
                warn(f.path(), at, name, p.message());
            }
        }
        String clash = ids.put(id, name);
        if (clash != null) {
            error(f.path(), line(f, r, "id"), name, "@id " + id + " is also used by rule '" + clash + "'");
        }
        RiskAnnotationChecks.detection(md, (isError, at, finding) -> {
            if (isError) {
                error(f.path(), line(f, r, at), name, finding);
            } else {
                warn(f.path(), line(f, r, at), name, finding);
            }
        });
        if (!consequence.contains("detections.match")) {
            error(f.path(), ruleLine, name, "has @id but its consequence never calls detections.match( kcontext, $e )");
        }
        if (specIds != null && id != null && UUID.matcher(id).matches() && !specIds.contains(id)) {
            warn(f.path(), ruleLine, name, "no test spec under tests/ names detection " + id);
        }
        return errorCount() > before;
    }

    /**
     * The phase of the rule's salience ({@link Phase}): an error when the number is no phase's, when it is an
     * expression (a dynamic salience), or when its {@code // Phase.NAME} tag names another phase; a warning when the
     * tag is missing. A detection must run in {@link Phase#DETECT} (a Sigma correlation in one of the correlation
     * phases). Null when the salience names no phase.
     */
    private Phase checkPhase(DrlFile f, RuleDescr r) {
        String salience = r.getSalience();
        int at = line(f, r, "salience", "salience");
        Phase phase;
        try {
            phase = Phase.of(salience);
        } catch (IllegalArgumentException e) {
            error(f.path(), at, r.getName(), e.getMessage());
            return null;
        }
        if (salience != null && !salience.isBlank()) {
            Matcher tag = PHASE_TAG.matcher(ruleText(f, r));
            if (!tag.find()) {
                warn(f.path(), at, r.getName(), "salience " + salience.strip() + " is phase " + phase
                        + ": name it, " + phase.drl());
            } else if (Phase.ofName(tag.group(1)).isEmpty()) {
                error(f.path(), at, r.getName(), "salience names phase '" + tag.group(1) + "', which is not one of "
                        + java.util.Arrays.toString(Phase.values()));
            } else if (Phase.ofName(tag.group(1)).get() != phase) {
                Phase named = Phase.ofName(tag.group(1)).get();
                error(f.path(), at, r.getName(), "salience " + salience.strip() + " is phase " + phase + ", not Phase."
                        + named + " (" + named.drl() + ")");
            }
        }
        if (annotations(r).containsKey("id") && !DETECTION_PHASES.contains(phase)) {
            error(f.path(), at, r.getName(), "a detection runs in phase DETECT (a Sigma correlation in CORRELATE_CHECK"
                    + " or CORRELATE_JUDGE), not " + phase);
        }
        return phase;
    }

    private void checkFilter(DrlFile f, RuleDescr r, Phase phase, Set<String> detectionIds) {
        if (!f.path().getFileName().toString().endsWith("_filter.drl")) {
            return;
        }
        int ruleLine = ruleLine(f, r);
        if (phase != null && phase != Phase.FILTER) {
            warn(f.path(), ruleLine, r.getName(), "filter rules need " + Phase.FILTER.drl()
                    + " to run before the match is counted");
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
        return line(f, r, "@" + annotation, "(");
    }

    /** The line of the first {@code keyword} followed by {@code next} inside the rule, else the rule's line. */
    private static int line(DrlFile f, RuleDescr r, String keyword, String next) {
        int start = f.text().indexOf("rule \"" + r.getName() + "\"");
        if (start < 0) {
            return ruleLine(f, r);
        }
        Matcher m = Pattern.compile(Pattern.quote(keyword) + "\\s*" + (next.equals("(") ? "\\(" : "")).matcher(f.text());
        Matcher end = Pattern.compile("(?m)^\\s*end\\s*$").matcher(f.text());
        int limit = end.find(start) ? end.end() : f.text().length();
        return m.find(start) && m.start() < limit ? lineOf(f.text(), m.start()) : ruleLine(f, r);
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
