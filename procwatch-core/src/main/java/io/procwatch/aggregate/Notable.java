package io.procwatch.aggregate;

import io.procwatch.detect.DetectionRule;
import io.procwatch.normalize.ProcessEvent;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A closed notable: one detection, one window, one group, with its risk attributes, ready to write.
 * {@link #fields()} holds the output fields in their documented order: {@code rule_id}, {@code rule_title},
 * {@code rule_description}, {@code severity}, {@code security_domain}, {@code risk_object},
 * {@code risk_object_type}, {@code risk_score}, {@code risk_message}, {@code mitre_attack}, {@code count},
 * {@code firstTime}, {@code lastTime}, {@code window_start}, {@code window_end}, {@code late}, {@code notable_id},
 * then every group-by field under its own name; for a Sigma notable {@code Image}, {@code ParentImage},
 * {@code ParentCommandLine} of its first event; then {@code rule_level}, {@code rule_status} (when the rule has
 * one), {@code rule_tags} and {@code evidence}: the {@link Provenance} of the earliest
 * {@value NotableGroup#EVIDENCE_LIMIT} contributing events ({@code count} is all of them).
 */
public final class Notable {

    /** Splunk's {@code security_content_ctime}: {@code %Y-%m-%dT%H:%M:%S}, UTC. */
    public static final DateTimeFormatter CTIME = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss").withZone(ZoneOffset.UTC);
    /** The window bounds' format: ISO-8601 UTC to the second. */
    public static final DateTimeFormatter ISO = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss'Z'").withZone(ZoneOffset.UTC);
    static final DateTimeFormatter ISO_MILLIS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);
    /** For Sigma notables, the first event's fields analysts pivot on (when not already a group-by field). */
    static final List<String> SIGMA_PIVOTS = List.of("Image", "ParentImage", "ParentCommandLine");

    /** Output order: window (start, then end), then detection id, then late flag, then group values. */
    public static final Comparator<Notable> ORDER = Comparator
            .comparingLong((Notable n) -> n.windowStart)
            .thenComparingLong((Notable n) -> n.windowEnd)
            .thenComparing(n -> n.ruleId)
            .thenComparing(n -> n.late)
            .thenComparing(n -> n.sortKey);

    private final Map<String, Object> fields;
    private final long windowStart;
    private final long windowEnd;
    private final String ruleId;
    private final boolean late;
    private final String sortKey;

    private Notable(Map<String, Object> fields, long windowStart, long windowEnd, String ruleId, boolean late,
                    String sortKey) {
        this.fields = Collections.unmodifiableMap(fields);
        this.windowStart = windowStart;
        this.windowEnd = windowEnd;
        this.ruleId = ruleId;
        this.late = late;
        this.sortKey = sortKey;
    }

    /** Builds the notable of a closed group. */
    public static Notable of(NotableGroup g) {
        DetectionRule rule = g.getRule();
        Map<String, String> groupValues = new LinkedHashMap<>();
        List<String> names = rule.groupBy();
        for (int i = 0; i < names.size(); i++) {
            groupValues.put(names.get(i), g.getKey().values().get(i));
        }
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("rule_id", rule.id());
        f.put("rule_title", rule.title());
        f.put("rule_description", rule.description());
        f.put("severity", rule.severity());
        f.put("security_domain", rule.securityDomain());
        f.put("risk_object", value(rule.riskObject(), groupValues, g.getFirstEvent()));
        f.put("risk_object_type", rule.riskObjectType());
        f.put("risk_score", rule.riskScore());
        f.put("risk_message", fill(rule.riskMessage(), groupValues, g.getFirstEvent()));
        f.put("mitre_attack", rule.mitre());
        f.put("count", g.getCount());
        f.put("firstTime", CTIME.format(Instant.ofEpochMilli(g.getFirstTime())));
        f.put("lastTime", CTIME.format(Instant.ofEpochMilli(g.getLastTime())));
        f.put("window_start", ISO.format(Instant.ofEpochMilli(g.getWindowStart())));
        f.put("window_end", ISO.format(Instant.ofEpochMilli(g.getWindowEnd())));
        f.put("late", g.getKey().late());
        String sortKey = String.valueOf(g.getKey().values());
        // A window's start names it unless the schedule's windows vary in span (then two can share a start).
        boolean startNamesWindow = g.getWindowEnd() - g.getWindowStart() == rule.window().shape().spanMillis();
        f.put("notable_id", id(rule.id(), g.getWindowStart(), startNamesWindow ? null : g.getWindowEnd(),
                g.getKey().late(), sortKey).toString());
        for (Map.Entry<String, String> e : groupValues.entrySet()) {
            f.putIfAbsent(e.getKey(), e.getValue());
        }
        provenance(f, rule, g);
        return new Notable(f, g.getWindowStart(), g.getWindowEnd(), rule.id(), g.getKey().late(), sortKey);
    }

    /**
     * A notable made by other rules than a detection's window (a risk incident): {@code fields} in order, where a
     * {@code notable_id} key (any value) receives the deterministic id of {@code ruleId}, {@code windowStart} and
     * {@code sortKey} (appended when absent).
     */
    public static Notable of(String ruleId, long windowStart, String sortKey, Map<String, Object> fields) {
        Map<String, Object> f = new LinkedHashMap<>(fields);
        f.put("notable_id", id(ruleId, windowStart, null, false, sortKey).toString());
        return new Notable(f, windowStart, windowStart, ruleId, false, sortKey);
    }

    /** This notable with {@code extra} fields appended (asset and identity enrichment); existing fields stay. */
    public Notable withFields(Map<String, Object> extra) {
        if (extra.isEmpty()) {
            return this;
        }
        Map<String, Object> f = new LinkedHashMap<>(fields);
        extra.forEach(f::putIfAbsent);
        return new Notable(f, windowStart, windowEnd, ruleId, late, sortKey);
    }

    /** Rule labels, Sigma pivot fields and the contributing events' provenance (see {@link #fields()}). */
    private static void provenance(Map<String, Object> f, DetectionRule rule, NotableGroup g) {
        if (rule.labels().sigma()) {
            for (String pivot : SIGMA_PIVOTS) {
                String v = g.getFirstEvent().get(pivot);
                if (v != null) {
                    f.putIfAbsent(pivot, v);
                }
            }
        }
        f.put("rule_level", rule.labels().level());
        if (!rule.labels().status().isEmpty()) {
            f.put("rule_status", rule.labels().status());
        }
        f.put("rule_tags", rule.labels().tags());
        f.put("evidence", g.getEvidence().stream().map(Provenance::fields).toList());
    }

    /**
     * The notable's deterministic id: a name-based (v3) UUID of detection id, window start, late flag and group
     * values, so the same window of the same group gets the same id in every run, replay or restart (what
     * de-duplication and risk events refer to). {@code windowEnd} is given (and named too) only for a window whose
     * span differs from its schedule's usual span, where the start alone does not tell windows apart.
     */
    /** The {@code notable_id} of the notable a match's group becomes (what a timeline row links to). */
    public static String idOf(DetectionRule rule, io.procwatch.detect.GroupKey key) {
        // A window's start names it unless the schedule's windows vary in span (then two can share a start).
        boolean startNamesWindow = key.windowEnd() - key.windowStart() == rule.window().shape().spanMillis();
        return id(key.ruleId(), key.windowStart(), startNamesWindow ? null : key.windowEnd(), key.late(),
                String.valueOf(key.values())).toString();
    }

    static UUID id(String ruleId, long windowStart, Long windowEnd, boolean late, String groupValues) {
        String name = ruleId + '|' + windowStart + '|' + late + '|' + groupValues
                + (windowEnd == null ? "" : "|" + windowEnd);
        return UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8));
    }

    /** A group-by value when the field is one, else the first event's value. */
    private static String value(String field, Map<String, String> groupValues, ProcessEvent first) {
        return groupValues.containsKey(field) ? groupValues.get(field) : first.get(field);
    }

    /**
     * Replaces each {@code $field$} (a field name of letters, digits, {@code _ . @ -}) with the group's value; a
     * field with no value becomes empty. A hand scan rather than a regex replacement: it runs once per notable,
     * and quoting long command lines for {@code Matcher.appendReplacement} showed in the profile.
     */
    static String fill(String template, Map<String, String> groupValues, ProcessEvent first) {
        StringBuilder sb = null;
        int from = 0;
        int n = template.length();
        for (int i = template.indexOf('$'); i >= 0; ) {
            int j = i + 1;
            while (j < n && isTokenChar(template.charAt(j))) {
                j++;
            }
            if (j > i + 1 && j < n && template.charAt(j) == '$') {
                if (sb == null) {
                    sb = new StringBuilder(n + 128);
                }
                sb.append(template, from, i);
                String v = value(template.substring(i + 1, j), groupValues, first);
                if (v != null) {
                    sb.append(v);
                }
                from = j + 1;
                i = template.indexOf('$', from);
            } else {
                i = template.indexOf('$', i + 1);
            }
        }
        return sb == null ? template : sb.append(template, from, n).toString();
    }

    private static boolean isTokenChar(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                || c == '_' || c == '.' || c == '@' || c == '-';
    }

    /** The output fields, in order. */
    public Map<String, Object> fields() {
        return fields;
    }

    /** The deterministic id ({@code notable_id}); see {@link #fields()}. */
    public String id() {
        return (String) fields.get("notable_id");
    }

    public String ruleId() {
        return ruleId;
    }

    public long windowStart() {
        return windowStart;
    }

    /** The window's end, epoch ms (exclusive). */
    public long windowEnd() {
        return windowEnd;
    }

    public boolean late() {
        return late;
    }

    @Override
    public String toString() {
        return fields.toString();
    }
}
