package io.procwatch.toolkit;

import io.procwatch.detect.IncidentRule;
import io.procwatch.detect.RiskMetadata;
import io.procwatch.risk.RiskActions;
import org.drools.drl.ast.descr.AnnotationDescr;

import java.util.Map;

/**
 * {@code procwatch validate}'s checks of the risk annotations: {@code @riskObjects}, {@code @threatObjects},
 * {@code @throttle} and {@code @mitre} (against the shipped ATT&amp;CK table) on detections, and the incident rules'
 * {@code @incidentId}, {@code @window}, thresholds and {@code @severity}. Each finding names its annotation, so the
 * validator places it on that annotation's line.
 */
final class RiskAnnotationChecks {

    /** Where findings go: error or warning, the annotation (for its line), the message. */
    interface Findings {
        void add(boolean error, String annotation, String message);
    }

    /** Longest incident window the risk events are kept for ({@code @expires} of RiskEvent in model.drl, less slack). */
    static final long LONGEST_WINDOW = 7L * 86_400_000L;

    private RiskAnnotationChecks() {
    }

    /** A detection's risk annotations. */
    static void detection(Map<String, AnnotationDescr> md, Findings out) {
        String objects = RuleValidator.value(md.get("riskObjects"));
        if (objects != null) {
            for (String item : io.procwatch.detect.RuleMetadata.list(objects)) {
                String[] p = item.split(":");
                if (p.length != 3) {
                    out.add(true, "riskObjects", "@riskObjects item '" + item + "' is not field:type:score");
                    continue;
                }
                if (!EventFields.known(p[0])) {
                    out.add(true, "riskObjects", "@riskObjects field '" + p[0] + "' is not a field of ProcessEvent");
                }
                if (!RiskMetadata.OBJECT_TYPES.contains(p[1])) {
                    out.add(true, "riskObjects", "@riskObjects type '" + p[1] + "' is not one of " + RiskMetadata.OBJECT_TYPES);
                }
                try {
                    int s = Integer.parseInt(p[2]);
                    if (s < 0 || s > 100) {
                        out.add(true, "riskObjects", "@riskObjects score " + s + " is outside 0–100");
                    }
                } catch (NumberFormatException e) {
                    out.add(true, "riskObjects", "@riskObjects score '" + p[2] + "' is not a whole number");
                }
            }
        }
        String threats = RuleValidator.value(md.get("threatObjects"));
        if (threats != null) {
            for (String item : io.procwatch.detect.RuleMetadata.list(threats)) {
                String[] p = item.split(":");
                if (p.length != 2 || p[1].isEmpty()) {
                    out.add(true, "threatObjects", "@threatObjects item '" + item + "' is not field:type");
                } else if (!EventFields.known(p[0])) {
                    out.add(true, "threatObjects", "@threatObjects field '" + p[0] + "' is not a field of ProcessEvent");
                }
            }
        }
        AnnotationDescr throttle = md.get("throttle");
        if (throttle != null) {
            Object fields = throttle.getValue("fields");
            Object window = throttle.getValue("window");
            if (fields == null || window == null) {
                out.add(true, "throttle", "@throttle needs fields=\"…\" and window=\"…\", e.g. @throttle( fields=\"dest user\", window=\"1d\" )");
            } else {
                for (String fld : io.procwatch.detect.RuleMetadata.list(unquote(fields))) {
                    if (!EventFields.known(fld)) {
                        out.add(true, "throttle", "@throttle field '" + fld + "' is not a field of ProcessEvent");
                    }
                }
                try {
                    IncidentRule.millis("@throttle window", unquote(window));
                } catch (IllegalArgumentException e) {
                    out.add(true, "throttle", e.getMessage());
                }
            }
        }
        String mitre = RuleValidator.value(md.get("mitre"));
        if (mitre != null) {
            for (String t : io.procwatch.detect.RuleMetadata.list(mitre)) {
                if (t.matches("T\\d{4}(\\.\\d{3})?") && !RiskActions.attack().knows(t)) {
                    out.add(false, "mitre", "@mitre " + t + " is not in the ATT&CK v18.0 table: its risk events get no tactic");
                }
            }
        }
    }

    /** An incident rule's annotations (a rule with {@code @incidentId}). */
    static void incident(String ruleName, Map<String, AnnotationDescr> md, String ruleText, Findings out) {
        Map<String, Object> values = new java.util.HashMap<>();
        md.forEach((k, a) -> values.put(k, RuleValidator.value(a)));
        try {
            IncidentRule r = IncidentRule.read(ruleName, values, "");
            if (r.windowMillis() > LONGEST_WINDOW) {
                out.add(true, "window", "@window " + r.window() + " is longer than risk events are kept (7d; raise "
                        + "@expires of RiskEvent in model.drl first)");
            }
        } catch (IllegalArgumentException e) {
            String m = e.getMessage();
            String at = m.startsWith("@") ? m.substring(1, m.indexOf(' ') > 0 ? m.indexOf(' ') : m.length()) : "incidentId";
            out.add(true, at, m);
        }
        if (!ruleText.contains("IncidentRule( name == \"" + ruleName + "\"")) {
            out.add(true, "incidentId", "an incident rule must select its own settings: IncidentRule( name == \"" + ruleName + "\" )");
        }
    }

    private static String unquote(Object v) {
        String s = String.valueOf(v).strip();
        return s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"") ? s.substring(1, s.length() - 1) : s;
    }
}
