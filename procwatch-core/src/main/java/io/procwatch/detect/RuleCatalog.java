package io.procwatch.detect;

import org.kie.api.KieBase;
import org.kie.api.definition.KiePackage;
import org.kie.api.definition.rule.Rule;
import org.kie.api.definition.type.Description;

import java.util.ArrayList;
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
    /** Risk annotations per detection id ({@link RiskMetadata}). */
    private final Map<String, RiskMetadata> risk;
    /** The risk incident rules ({@code @incidentId}), by name. */
    private final List<IncidentRule> incidents;

    private RuleCatalog(Map<String, DetectionRule> byRuleName, Map<String, RiskMetadata> risk, List<IncidentRule> incidents) {
        this.byRuleName = Map.copyOf(byRuleName);
        this.risk = Map.copyOf(risk);
        List<IncidentRule> inc = new ArrayList<>(incidents);
        inc.sort(Comparator.comparing(IncidentRule::ruleName));
        this.incidents = List.copyOf(inc);
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
        Map<String, RiskMetadata> risk = new HashMap<>();
        List<IncidentRule> incidents = new ArrayList<>();
        RuleMetadata metadata = new RuleMetadata(null);
        for (KiePackage pkg : kieBase.getKiePackages()) {
            for (Rule rule : pkg.getRules()) {
                Map<String, Object> md = rule.getMetaData();
                if (md.containsKey("incidentId")) {
                    try {
                        incidents.add(IncidentRule.read(rule.getName(), md, annotations(md).getOrDefault("description", "")));
                    } catch (IllegalArgumentException e) {
                        problems.add("rule '" + rule.getName() + "': " + e.getMessage());
                    }
                    continue;
                }
                if (!md.containsKey("id")) {
                    continue;
                }
                RuleMetadata.Result read = metadata.read(rule.getName(), rule.getPackageName(), annotations(md));
                if (read.rule() == null) {
                    problems.add("rule '" + rule.getName() + "': " + read.refusal());
                    continue;
                }
                DetectionRule d = read.rule();
                String clash = seenIds.put(d.id(), rule.getName());
                if (clash != null) {
                    problems.add("rule '" + rule.getName() + "': @id " + d.id() + " is also used by rule '" + clash + "'");
                }
                rules.put(rule.getName(), d);
                try {
                    risk.put(d.id(), RiskMetadata.read(md,
                            new RiskMetadata.RiskObject(d.riskObject(), d.riskObjectType(), d.riskScore())));
                } catch (IllegalArgumentException e) {
                    problems.add("rule '" + rule.getName() + "': " + e.getMessage());
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new RuleMetadataException(problems);
        }
        return new RuleCatalog(rules, risk, incidents);
    }

    /**
     * A rule's annotations as text by name. Drools files {@code @description} under its own annotation type's
     * name, not "description".
     */
    private static Map<String, String> annotations(Map<String, Object> md) {
        Map<String, String> out = new HashMap<>();
        md.forEach((k, v) -> {
            if (v != null) {
                out.put(k.equals(Description.class.getName()) ? "description" : k, v.toString());
            }
        });
        return out;
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

    /** The risk annotations of a detection (by id), or {@code null} for an unknown id. */
    public RiskMetadata risk(String detectionId) {
        return risk.get(detectionId);
    }

    /** The risk incident rules, ordered by name. */
    public List<IncidentRule> incidentRules() {
        return incidents;
    }

    /** All detections, ordered by id. */
    public List<DetectionRule> detections() {
        return ordered;
    }
}
