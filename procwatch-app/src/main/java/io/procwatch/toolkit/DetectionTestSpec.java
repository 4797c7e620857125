package io.procwatch.toolkit;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A detection test spec: a YAML (or JSON) file next to the rules, {@code rules-drl/tests/<detection file stem>.yml}.
 *
 * <pre>
 * detection: c4c0a2d4-0675-4fde-97b7-115145ba257c   # the @id under test; "*" = every detection
 * cases:
 *   - name: real attack line, Sysmon
 *     events: [events/wsqe-positive.xml]            # relative to the spec file; ${shared}/… = shared folder
 *     matches: 2                                    # matches before filters
 *     suppressed: 0                                 # optional: matches removed by filter rules
 *     notables:                                     # every notable of the detection, in output order;
 *       - {count: 2, firstTime: "2024-03-04T10:52:10", dest: WKS-FIN-07}   # only the keys given are compared
 *     risk_events:                                  # optional: the detection's risk events, in output order
 *       - {risk_object: WKS-FIN-07, risk_object_type: system, calculated_risk_score: 50}
 *     incidents:                                    # optional: every risk incident of the case, in output order
 *       - {rule_title: "Risk Threshold Exceeded For Object Over 24 Hour Period", risk_object: WKS-FIN-07, risk_score: 150}
 * </pre>
 *
 * @param file      where the spec was read (set by the loader)
 * @param detection the detection id, or {@code *}
 * @param description free text
 * @param cases     the test cases
 */
@JsonIgnoreProperties(ignoreUnknown = false)
public record DetectionTestSpec(Path file, String detection, String description, List<Case> cases) {

    /** Written in a spec for "every detection of the rule set". */
    public static final String ALL = "*";

    /**
     * One case: events in, expected result out.
     *
     * @param name       shown in the result table
     * @param events     event files or folders
     * @param matches    expected matches of the detection (each detection for {@code *}), before filters
     * @param suppressed expected matches that filters suppressed, or {@code null} not to check
     * @param notables   the expected notables in output order, or {@code null} not to check; each is a map of
     *                   notable field (count, firstTime, lastTime, window_start, late, any group field) to value
     * @param riskEvents the detection's expected risk events in output order ({@code risk_events}), or {@code null}
     *                   not to check; each a map of risk event field to value
     * @param incidents  every expected risk incident of the case in output order, or {@code null} not to check;
     *                   each a map of incident field ({@code rule_title}, {@code risk_object}, {@code risk_score}, …)
     */
    @JsonIgnoreProperties(ignoreUnknown = false)
    public record Case(String name, List<String> events, Long matches, Long suppressed,
                       List<Map<String, Object>> notables,
                       @JsonProperty("risk_events") List<Map<String, Object>> riskEvents,
                       List<Map<String, Object>> incidents) {
    }

    /** The raw YAML shape (the file path is not in the YAML). */
    record Yaml(@JsonProperty("detection") String detection, @JsonProperty("description") String description,
                @JsonProperty("cases") List<Case> cases) {
    }

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** Reads one spec file ({@code .yml}, {@code .yaml} or {@code .json}). */
    public static DetectionTestSpec load(Path file) throws IOException {
        ObjectMapper m = file.toString().endsWith(".json") ? JSON : YAML;
        Yaml y;
        try {
            y = m.readValue(file.toFile(), Yaml.class);
        } catch (IOException e) {
            throw new IOException(file + ": not a valid test spec: " + e.getMessage().lines().findFirst().orElse(""), e);
        }
        if (y == null || y.detection() == null || y.detection().isBlank()) {
            throw new IOException(file + ": test spec needs 'detection: <@id>' (or \"*\")");
        }
        if (y.cases() == null || y.cases().isEmpty()) {
            throw new IOException(file + ": test spec has no cases");
        }
        for (Case c : y.cases()) {
            if (c.name() == null || c.events() == null || c.events().isEmpty() || c.matches() == null) {
                throw new IOException(file + ": every case needs name, events and matches ("
                        + (c.name() != null ? "case '" + c.name() + "'" : "a case without a name") + ")");
            }
        }
        return new DetectionTestSpec(file, y.detection().strip(), y.description(), List.copyOf(y.cases()));
    }

    /** Every spec file directly in {@code dir} ({@code *.yml}, {@code *.yaml}, {@code *.json}), sorted by name. */
    public static List<DetectionTestSpec> loadAll(Path dir) throws IOException {
        List<DetectionTestSpec> specs = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return specs;
        }
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.filter(Files::isRegularFile).filter(DetectionTestSpec::isSpecFile).sorted().toList()) {
                specs.add(load(p));
            }
        }
        return specs;
    }

    static boolean isSpecFile(Path p) {
        String n = p.getFileName().toString();
        return n.endsWith(".yml") || n.endsWith(".yaml") || n.endsWith(".json");
    }

    /** The detection ids the spec covers ({@code *} is not an id). */
    public List<String> detectionIds() {
        return ALL.equals(detection) ? List.of() : List.of(detection);
    }
}
