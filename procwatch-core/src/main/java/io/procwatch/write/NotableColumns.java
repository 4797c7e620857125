package io.procwatch.write;

import io.procwatch.aggregate.Notable;
import io.procwatch.detect.DetectionRule;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Column list for the tabular formats: the fixed notable fields, then the union of group-by fields, then (with
 * Sigma detections) the Sigma pivot fields, then the rule labels and the evidence references.
 */
public final class NotableColumns {

    static final List<String> FIXED = List.of("rule_id", "rule_title", "rule_description", "severity",
            "security_domain", "risk_object", "risk_object_type", "risk_score", "risk_message", "mitre_attack",
            "count", "firstTime", "lastTime", "window_start", "window_end", "late", "notable_id");

    private NotableColumns() {
    }

    static List<String> of(List<DetectionRule> detections) {
        Set<String> cols = new LinkedHashSet<>(FIXED);
        for (DetectionRule d : detections) {
            cols.addAll(d.groupBy());
        }
        if (detections.stream().anyMatch(d -> d.labels().sigma())) {
            cols.addAll(List.of("Image", "ParentImage", "ParentCommandLine"));
        }
        cols.addAll(List.of("rule_level", "rule_status", "rule_tags", "evidence"));
        return new ArrayList<>(cols);
    }

    /** A cell's text: lists joined with ", ", missing values empty. */
    public static String cell(Notable n, String column) {
        Object v = n.fields().get(column);
        if (v == null) {
            return "";
        }
        if (v instanceof List<?> l) {
            // evidence: each contributing event by its reference (file[!member]:line)
            return String.join(", ", l.stream().map(x -> x instanceof Map<?, ?> m ? String.valueOf(m.get("ref"))
                    : String.valueOf(x)).toList());
        }
        return v.toString();
    }
}
