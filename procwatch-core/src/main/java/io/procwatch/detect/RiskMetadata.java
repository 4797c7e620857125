package io.procwatch.detect;

import io.procwatch.detect.model.MapAnnotations;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A detection's risk-based-alerting annotations, beside {@link DetectionRule} (read by {@link RuleCatalog}):
 * <ul>
 *   <li>{@code @riskObjects( "dest:system:50, user:user:30" )}: one risk event per listed field with a value, each
 *       with its own type and score (ESCU's {@code rba.risk_objects}). Without it, the single
 *       {@code @riskObject}/{@code @riskObjectType}/{@code @riskScore}.</li>
 *   <li>{@code @threatObjects( "process_name:process_name, parent_process_name:parent_process_name" )}: fields whose
 *       values every risk event of a result carries as threat objects ({@code rba.threat_objects}).</li>
 *   <li>{@code @throttle( fields="dest user", window="1d" )}: Splunk ES per-result throttling.</li>
 * </ul>
 *
 * @param riskObjects   the risk objects, at least one
 * @param threatObjects the threat objects, possibly none
 * @param throttle      the throttling, or {@code null}
 */
public record RiskMetadata(List<RiskObject> riskObjects, List<ThreatObject> threatObjects, Throttle throttle) {

    /** A risk object: the field whose value it is, its type ({@code system}, {@code user}, {@code other}) and score. */
    public record RiskObject(String field, String type, int score) {
    }

    /** A threat object: the field whose value it is and its type ({@code process_name}, {@code file_hash}, …). */
    public record ThreatObject(String field, String type) {
    }

    /** Suppress a result whose {@code fields} equal those of one that alerted less than {@code window} before. */
    public record Throttle(List<String> fields, long windowMillis, String window) {
    }

    /** Risk object types Splunk ES knows. */
    public static final List<String> OBJECT_TYPES = List.of("system", "user", "other");

    /** Reads the annotations; {@code fallback} is the detection's single risk object. */
    static RiskMetadata read(Map<String, Object> md, RiskObject fallback) {
        List<RiskObject> objects = new ArrayList<>();
        Object ro = md.get("riskObjects");
        if (ro != null) {
            for (String item : RuleMetadata.list(unquote(ro))) {
                String[] p = item.split(":");
                if (p.length != 3) {
                    throw new IllegalArgumentException("@riskObjects item '" + item + "' is not field:type:score");
                }
                if (!OBJECT_TYPES.contains(p[1])) {
                    throw new IllegalArgumentException("@riskObjects item '" + item + "': type '" + p[1]
                            + "' is not one of " + OBJECT_TYPES);
                }
                int score;
                try {
                    score = Integer.parseInt(p[2]);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("@riskObjects item '" + item + "': score '" + p[2] + "' is not a whole number");
                }
                if (score < 0 || score > 100) {
                    throw new IllegalArgumentException("@riskObjects item '" + item + "': score " + score + " is outside 0–100");
                }
                objects.add(new RiskObject(p[0], p[1], score));
            }
            if (objects.isEmpty()) {
                throw new IllegalArgumentException("@riskObjects lists no risk object");
            }
        } else {
            objects.add(fallback);
        }
        List<ThreatObject> threats = new ArrayList<>();
        Object to = md.get("threatObjects");
        if (to != null) {
            for (String item : RuleMetadata.list(unquote(to))) {
                String[] p = item.split(":");
                if (p.length != 2 || p[0].isEmpty() || p[1].isEmpty()) {
                    throw new IllegalArgumentException("@threatObjects item '" + item + "' is not field:type");
                }
                threats.add(new ThreatObject(p[0], p[1]));
            }
        }
        return new RiskMetadata(List.copyOf(objects), List.copyOf(threats), throttle(md.get("throttle")));
    }

    /**
     * {@code @throttle( fields="dest user", window="1d" )}; Drools hands a multi-valued annotation over as a map, and
     * the executable model as the one string {@link MapAnnotations} wrote it as.
     */
    private static Throttle throttle(Object v) {
        if (v == null) {
            return null;
        }
        if (v instanceof String s) {
            Map<String, String> pairs = MapAnnotations.pairs(unquote(s));
            v = pairs != null ? pairs : v;
        }
        if (!(v instanceof Map<?, ?> m) || !m.containsKey("fields") || !m.containsKey("window")) {
            throw new IllegalArgumentException("@throttle needs fields=\"…\" and window=\"…\", e.g. @throttle( fields=\"dest user\", window=\"1d\" )");
        }
        List<String> fields = RuleMetadata.list(unquote(m.get("fields")));
        if (fields.isEmpty()) {
            throw new IllegalArgumentException("@throttle fields is empty");
        }
        String window = unquote(m.get("window"));
        return new Throttle(fields, IncidentRule.millis("@throttle window", window), window);
    }

    static String unquote(Object v) {
        String s = String.valueOf(v).strip();
        if (s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"")) {
            s = s.substring(1, s.length() - 1);
        }
        return s;
    }
}
