package io.procwatch.detect;

import io.procwatch.time.ScheduleWindow;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads and checks a detection's metadata annotations ({@code @id}, {@code @title}, {@code @riskScore}, …,
 * {@code @schedule}, {@code @groupBy}) into a {@link DetectionRule}: the one parser behind {@link RuleCatalog} (the
 * engine) and {@code procwatch validate}, with the defaults of the optional annotations. Each problem names the
 * annotation it is about, so a caller holding the DRL text can give its line.
 *
 * <p>Problems are of three kinds: those the engine cannot run with ({@link Problem#refused()}: a missing title,
 * risk object, risk message or group-by, a risk score outside 0–100, a schedule it cannot honour), further errors
 * {@code validate} reports (an id that is not a UUID, a malformed MITRE id, an unknown field), and warnings.
 *
 * <p>One instance per rule set read: it builds each distinct schedule once (most rules share one). Not
 * thread-safe.
 */
public final class RuleMetadata {

    /** {@code @riskObjectType} when absent. */
    public static final String DEFAULT_RISK_OBJECT_TYPE = "system";
    /** {@code @securityDomain} when absent. */
    public static final String DEFAULT_SECURITY_DOMAIN = "endpoint";

    static final Pattern UUID = Pattern.compile("^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$");
    static final Pattern MITRE = Pattern.compile("^T\\d{4}(\\.\\d{3})?$");
    private static final Pattern TOKEN = Pattern.compile("\\$([A-Za-z0-9_.@-]+)\\$");
    private static final Set<String> RISK_OBJECT_TYPES = Set.of("system", "user", "other");
    private static final Set<String> DOMAINS = Set.of("endpoint", "network", "threat", "identity", "access", "audit", "cloud");

    /**
     * One finding about one detection's metadata.
     *
     * @param error      false for a warning
     * @param refused    true when the engine cannot run the rule with it (the catalog refuses the rule set)
     * @param annotation the annotation it is about (without {@code @}), or {@code null} for the rule as a whole
     * @param message    what is wrong
     */
    public record Problem(boolean error, boolean refused, String annotation, String message) {
    }

    /**
     * What {@link #read} found.
     *
     * @param rule     the detection, or {@code null} when a problem is {@link Problem#refused() refused}
     * @param problems every finding, in annotation order
     */
    public record Result(DetectionRule rule, List<Problem> problems) {

        /** The first refused problem's message, or {@code null}. */
        public String refusal() {
            return problems.stream().filter(Problem::refused).map(Problem::message).findFirst().orElse(null);
        }
    }

    private final Predicate<String> knownField;
    private final Map<List<String>, Object> windows = new HashMap<>();

    /**
     * @param knownField which field names a process event can carry, to check field references; {@code null} not
     *                   to check them (the engine: an unknown field only leaves a value empty)
     */
    public RuleMetadata(Predicate<String> knownField) {
        this.knownField = knownField;
    }

    /**
     * Reads one detection.
     *
     * @param annotations annotation values by name (without {@code @}), quotes removed
     */
    public Result read(String ruleName, String packageName, Map<String, String> annotations) {
        List<Problem> problems = new ArrayList<>();
        Reader r = new Reader(annotations, problems);
        String id = r.text("id");
        if (id == null || !UUID.matcher(id).matches()) {
            r.error("id", "@id '" + id + "' is not a UUID");
        }
        String title = r.required("title");
        String description = r.text("description");
        if (description == null || description.isBlank()) {
            r.error(null, "missing @description");
        }
        String riskMessage = r.required("riskMessage");
        Integer score = riskScore(r);
        String riskObject = r.required("riskObject");
        if (riskObject != null && knownField != null && !knownField.test(riskObject)) {
            r.error("riskObject", "@riskObject '" + riskObject + "' is not a field of ProcessEvent");
        }
        String riskObjectType = r.text("riskObjectType");
        if (riskObjectType != null && !RISK_OBJECT_TYPES.contains(riskObjectType)) {
            r.warn("riskObjectType", "@riskObjectType '" + riskObjectType + "' is not one of " + RISK_OBJECT_TYPES);
        }
        if (riskMessage != null && knownField != null) {
            Matcher m = TOKEN.matcher(riskMessage);
            while (m.find()) {
                if (!knownField.test(m.group(1))) {
                    r.warn("riskMessage", "@riskMessage names $" + m.group(1)
                            + "$, which is not a field of ProcessEvent (it will be empty)");
                }
            }
        }
        String mitre = r.text("mitre");
        if (mitre == null || mitre.isBlank()) {
            r.warn(null, "no @mitre technique ids");
        } else {
            for (String t : list(mitre)) {
                if (!MITRE.matcher(t).matches()) {
                    r.error("mitre", "@mitre '" + t + "' is not a technique id (T#### or T####.###)");
                }
            }
        }
        String domain = r.text("securityDomain");
        if (domain != null && !DOMAINS.contains(domain)) {
            r.warn("securityDomain", "@securityDomain '" + domain + "' is not one of " + DOMAINS);
        }
        ScheduleWindow window = window(r);
        List<String> groupBy = groupBy(r);
        String notable = r.text("notableFields");
        if (notable != null && knownField != null) {
            for (String g : list(notable)) {
                if (!knownField.test(g)) {
                    r.warn("notableFields", "@notableFields field '" + g + "' is not a field of ProcessEvent");
                }
            }
        }
        boolean refused = problems.stream().anyMatch(Problem::refused);
        DetectionRule rule = refused ? null : new DetectionRule(ruleName, packageName, id, title,
                description == null ? "" : description, score, riskObject,
                riskObjectType == null ? DEFAULT_RISK_OBJECT_TYPE : riskObjectType, riskMessage,
                list(mitre == null ? "" : mitre), list(notable == null ? "" : notable),
                domain == null ? DEFAULT_SECURITY_DOMAIN : domain, window, groupBy, r.text("fillnull"),
                RuleLabels.of(annotations, score));
        return new Result(rule, List.copyOf(problems));
    }

    private static Integer riskScore(Reader r) {
        String scoreText = r.text("riskScore");
        String level = r.text("level");
        if (scoreText != null) {
            try {
                int score = Integer.parseInt(scoreText.strip());
                if (score < 0 || score > 100) {
                    r.refuse("riskScore", "@riskScore " + score + " is outside 0–100");
                }
                return score;
            } catch (NumberFormatException e) {
                r.refuse("riskScore", "@riskScore '" + scoreText + "' is not a whole number");
                return null;
            }
        }
        if (level != null) {
            try {
                return RiskLevels.scoreOfLevel(level);
            } catch (IllegalArgumentException e) {
                r.refuse("level", "@level '" + level + "' is not one of " + new TreeSet<>(RiskLevels.LEVEL_SCORE.keySet()));
                return null;
            }
        }
        r.refuse(null, "needs @riskScore (0–100) or @level");
        return null;
    }

    private ScheduleWindow window(Reader r) {
        List<String> key = Arrays.asList(r.text("schedule"), r.text("earliest"), r.text("latest"));
        Object w = windows.computeIfAbsent(key, k -> {
            try {
                return ScheduleWindow.fromSplunk(k.get(0), k.get(1), k.get(2));
            } catch (IllegalArgumentException e) {
                return e;
            }
        });
        if (w instanceof IllegalArgumentException e) {
            r.refuse(quotedFirst(e.getMessage(), key), "@schedule/@earliest/@latest: " + e.getMessage());
            return null;
        }
        ScheduleWindow window = (ScheduleWindow) w;
        ScheduleWindow.Shape shape = window.shape();
        String at = key.get(1) != null ? "earliest" : "schedule";
        if (shape.overlaps()) {
            r.warn(at, "the windows of " + window + " overlap: a match counts in up to " + shape.maxRunsPerEvent()
                    + " notables, one per window that covers it");
        }
        if (shape.gaps()) {
            r.warn(at, "the windows of " + window + " leave gaps between runs: a match there is counted but forms no notable");
        }
        return window;
    }

    /** The annotation among schedule, earliest, latest whose value the message quotes first. */
    private static String quotedFirst(String message, List<String> values) {
        String[] names = {"schedule", "earliest", "latest"};
        String at = "schedule";
        int best = Integer.MAX_VALUE;
        for (int i = 0; i < names.length; i++) {
            int pos = values.get(i) == null ? -1 : message.indexOf("'" + values.get(i).strip() + "'");
            if (pos >= 0 && pos < best) {
                best = pos;
                at = names[i];
            }
        }
        return at;
    }

    private List<String> groupBy(Reader r) {
        String groupBy = r.text("groupBy");
        if (groupBy == null || groupBy.isBlank()) {
            r.refuse(null, "missing @groupBy (the fields a notable is grouped by)");
            return List.of();
        }
        List<String> fields = list(groupBy);
        Set<String> seen = new HashSet<>();
        for (String g : fields) {
            if (knownField != null && !knownField.test(g)) {
                r.error("groupBy", "@groupBy field '" + g + "' is not a field of ProcessEvent");
            }
            if (!seen.add(g)) {
                r.warn("groupBy", "@groupBy names '" + g + "' twice");
            }
        }
        return fields;
    }

    /** Splits an annotation list on commas and/or white space. */
    public static List<String> list(String s) {
        return Arrays.stream(s.split("[,\\s]+")).filter(x -> !x.isEmpty()).toList();
    }

    /** Reads annotation values and collects problems for one rule. */
    private record Reader(Map<String, String> annotations, List<Problem> problems) {

        String text(String name) {
            return annotations.get(name);
        }

        String required(String name) {
            String v = text(name);
            if (v == null || v.isBlank()) {
                refuse(null, "missing @" + name);
                return null;
            }
            return v;
        }

        void refuse(String annotation, String message) {
            problems.add(new Problem(true, true, annotation, message));
        }

        void error(String annotation, String message) {
            problems.add(new Problem(true, false, annotation, message));
        }

        void warn(String annotation, String message) {
            problems.add(new Problem(false, false, annotation, message));
        }
    }
}
