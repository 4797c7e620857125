package io.procwatch.detect;

import io.procwatch.aggregate.ScheduleWindow;
import org.kie.api.KieBase;
import org.kie.api.definition.KiePackage;
import org.kie.api.definition.rule.Rule;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The detections of a KieBase: every rule that carries an {@code @id} annotation, with its metadata.
 * Built once per compiled rule set; immutable, so safe to share between sessions and threads.
 */
public final class RuleCatalog {

    private final Map<String, DetectionRule> byRuleName;
    private final List<DetectionRule> ordered;

    private RuleCatalog(Map<String, DetectionRule> byRuleName) {
        this.byRuleName = Map.copyOf(byRuleName);
        List<DetectionRule> list = new ArrayList<>(byRuleName.values());
        list.sort(Comparator.comparing(DetectionRule::id));
        this.ordered = Collections.unmodifiableList(list);
    }

    /**
     * Reads the metadata of every detection in the KieBase.
     *
     * @throws RuleMetadataException listing every detection whose metadata is incomplete or invalid
     */
    public static RuleCatalog of(KieBase kieBase) {
        Map<String, DetectionRule> rules = new HashMap<>();
        List<String> problems = new ArrayList<>();
        Map<String, String> seenIds = new HashMap<>();
        for (KiePackage pkg : kieBase.getKiePackages()) {
            for (Rule rule : pkg.getRules()) {
                Map<String, Object> md = rule.getMetaData();
                if (!md.containsKey("id")) {
                    continue;
                }
                try {
                    DetectionRule d = read(rule, md);
                    String clash = seenIds.put(d.id(), rule.getName());
                    if (clash != null) {
                        problems.add("rule '" + rule.getName() + "': @id " + d.id() + " is also used by rule '" + clash + "'");
                    }
                    rules.put(rule.getName(), d);
                } catch (IllegalArgumentException e) {
                    problems.add("rule '" + rule.getName() + "': " + e.getMessage());
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new RuleMetadataException(problems);
        }
        return new RuleCatalog(rules);
    }

    private static DetectionRule read(Rule rule, Map<String, Object> md) {
        String level = text(md, "level", null);
        String scoreText = text(md, "riskScore", null);
        int score;
        if (scoreText != null) {
            try {
                score = Integer.parseInt(scoreText);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("@riskScore '" + scoreText + "' is not a whole number");
            }
        } else if (level != null) {
            score = RiskLevels.scoreOfLevel(level);
        } else {
            throw new IllegalArgumentException("needs @riskScore or @level");
        }
        if (score < 0 || score > 100) {
            throw new IllegalArgumentException("@riskScore " + score + " is outside 0–100");
        }
        ScheduleWindow window = ScheduleWindow.fromSplunk(
                text(md, "schedule", "0 * * * *"), text(md, "earliest", "-70m@m"), text(md, "latest", "-10m@m"));
        return new DetectionRule(
                rule.getName(),
                rule.getPackageName(),
                text(md, "id", null),
                required(md, "title"),
                description(md),
                score,
                required(md, "riskObject"),
                text(md, "riskObjectType", "system"),
                required(md, "riskMessage"),
                list(text(md, "mitre", "")),
                list(text(md, "notableFields", "")),
                text(md, "securityDomain", "endpoint"),
                window,
                list(required(md, "groupBy")),
                text(md, "fillnull", null),
                RuleLabels.of(md, score));
    }

    /** Drools files {@code @description} under its own annotation type's name, not "description". */
    private static String description(Map<String, Object> md) {
        String v = text(md, "description", null);
        return v != null ? v : text(md, org.kie.api.definition.type.Description.class.getName(), "");
    }

    private static String required(Map<String, Object> md, String key) {
        String v = text(md, key, null);
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException("missing @" + key);
        }
        return v;
    }

    private static String text(Map<String, Object> md, String key, String dflt) {
        Object v = md.get(key);
        return v == null ? dflt : v.toString();
    }

    /** Splits an annotation list on commas and/or white space. */
    static List<String> list(String s) {
        return Arrays.stream(s.split("[,\\s]+")).filter(x -> !x.isEmpty()).toList();
    }

    /** The detection a DRL rule name stands for, or {@code null} when the rule is not a detection. */
    public DetectionRule byRuleName(String ruleName) {
        return byRuleName.get(ruleName);
    }

    /** The detection with this {@code @id}, or {@code null}. */
    public DetectionRule byId(String id) {
        for (DetectionRule d : ordered) {
            if (d.id().equals(id)) {
                return d;
            }
        }
        return null;
    }

    /** All detections, ordered by id. */
    public List<DetectionRule> detections() {
        return ordered;
    }
}
