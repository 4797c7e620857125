package io.procwatch.toolkit;

import io.procwatch.aggregate.Notable;
import io.procwatch.detect.DetectionRule;
import io.procwatch.detect.RuleSet;
import io.procwatch.engine.ScanOptions;
import io.procwatch.engine.ScanPipeline;
import io.procwatch.engine.ScanStats;
import io.procwatch.read.InputListener;
import io.procwatch.read.evtx.EvtxReader;
import io.procwatch.write.NotableWriter;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.HashSet;
import io.procwatch.risk.RiskEventRecord;

/**
 * Runs detection test specs against a rule set through the same {@link ScanPipeline} that {@code scan} uses,
 * and compares matches, suppressions and notables with the expectations.
 */
public final class DetectionTestRunner {

    public enum Status { PASS, FAIL, SKIP }

    /**
     * The outcome of one case.
     *
     * @param spec        the spec file
     * @param detection   the detection id (or {@code *})
     * @param caseName    the case's name
     * @param status      PASS, FAIL, or SKIP (inputs absent, e.g. the shared datasets)
     * @param differences what differed (FAIL) or why it was skipped (SKIP)
     */
    public record CaseResult(Path spec, String detection, String caseName, Status status, List<String> differences) {
    }

    private final RuleSet rules;
    private final Path sharedRoot;
    /** The DRL texts of {@link #rules}, to explain a failed case; null: failures are not explained. */
    private Map<Path, String> drlFiles;

    /**
     * @param rules      the rules under test
     * @param sharedRoot what {@code ${shared}} stands for in event paths (the folder holding {@code datasets/})
     */
    public DetectionTestRunner(RuleSet rules, Path sharedRoot) {
        this.rules = rules;
        this.sharedRoot = sharedRoot;
    }

    /**
     * Explains each failed case's differing matches or suppressions from these DRL texts (those {@link #rules} was
     * compiled from): which condition was false, or which filter rule suppressed the match.
     */
    public DetectionTestRunner explainingWith(Map<Path, String> drlFiles) {
        this.drlFiles = drlFiles;
        return this;
    }

    /** {@code procwatch.shared} system property, else {@code ../shared}. */
    public static Path defaultSharedRoot() {
        return Path.of(System.getProperty("procwatch.shared", "../shared")).toAbsolutePath().normalize();
    }

    public List<CaseResult> run(List<DetectionTestSpec> specs) {
        List<CaseResult> out = new ArrayList<>();
        for (DetectionTestSpec s : specs) {
            out.addAll(run(s));
        }
        return out;
    }

    public List<CaseResult> run(DetectionTestSpec spec) {
        List<CaseResult> out = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        if (DetectionTestSpec.ALL.equals(spec.detection())) {
            rules.catalog().detections().forEach(d -> ids.add(d.id()));
        } else if (rules.catalog().byId(spec.detection()) == null) {
            for (DetectionTestSpec.Case c : spec.cases()) {
                out.add(new CaseResult(spec.file(), spec.detection(), c.name(), Status.FAIL,
                        List.of("no detection with @id " + spec.detection() + " in " + rules.origin())));
            }
            return out;
        } else {
            ids.add(spec.detection());
        }
        for (DetectionTestSpec.Case c : spec.cases()) {
            out.add(runCase(spec, c, ids));
        }
        return out;
    }

    private CaseResult runCase(DetectionTestSpec spec, DetectionTestSpec.Case c, List<String> ids) {
        List<Path> inputs = new ArrayList<>();
        Path base = spec.file().toAbsolutePath().getParent();
        for (String e : c.events()) {
            boolean shared = e.contains("${shared}");
            Path p = shared ? Path.of(e.replace("${shared}", sharedRoot.toString())) : base.resolve(e);
            if (!Files.exists(p)) {
                if (shared) {
                    return new CaseResult(spec.file(), spec.detection(), c.name(), Status.SKIP,
                            List.of("shared dataset not found: " + p + " (put the shared/ folder beside the clone)"));
                }
                return new CaseResult(spec.file(), spec.detection(), c.name(), Status.FAIL,
                        List.of("event file not found: " + p));
            }
            inputs.add(p);
        }
        List<Notable> notables = new ArrayList<>();
        List<RiskEventRecord> riskEvents = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        ScanStats stats;
        try (NotableWriter w = new NotableWriter() {
            @Override
            public void write(Notable n) {
                notables.add(n);
            }

            @Override
            public void close() {
            }
        }) {
            stats = new ScanPipeline(rules, ScanOptions.defaults(), EvtxReader::new)
                    .run(inputs, w, riskEvents::add, new InputListener() { }, problems::add);
        } catch (IOException | RuntimeException e) {
            return new CaseResult(spec.file(), spec.detection(), c.name(), Status.FAIL, List.of("scan failed: " + e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new CaseResult(spec.file(), spec.detection(), c.name(), Status.FAIL, List.of("interrupted"));
        }
        List<String> diffs = new ArrayList<>();
        boolean anyShared = c.events().stream().anyMatch(e -> e.contains("${shared}"));
        // Own event files must read cleanly; real background data may hold records the normalizer rejects.
        if (stats.failedInputCount() > 0 || (!anyShared && stats.rejected() > 0)) {
            diffs.add("inputs had problems: " + String.join("; ", problems.subList(0, Math.min(3, problems.size()))));
        }
        for (String id : ids) {
            String label = ids.size() > 1 ? title(id) + ": " : "";
            long matches = stats.matches().getOrDefault(id, 0L);
            if (matches != c.matches()) {
                diffs.add(label + "matches: expected " + c.matches() + ", got " + matches);
            }
            if (c.suppressed() != null) {
                long sup = stats.suppressed().getOrDefault(id, 0L);
                if (sup != c.suppressed()) {
                    diffs.add(label + "suppressed: expected " + c.suppressed() + ", got " + sup);
                }
            }
            if (drlFiles != null && ids.size() == 1) {
                diffs.addAll(CaseExplainer.explain(rules, drlFiles, id, inputs, c.matches(), matches, c.suppressed(),
                        stats.suppressed().getOrDefault(id, 0L)));
            }
            if (c.notables() != null) {
                List<Notable> mine = notables.stream().filter(n -> n.ruleId().equals(id)).sorted(Notable.ORDER).toList();
                compareNotables(label, c.notables(), mine, diffs);
            }
            if (c.riskEvents() != null) {
                List<Map<String, Object>> mine = riskEvents.stream().map(RiskEventRecord::fields)
                        .filter(f -> id.equals(f.get("rule_id"))).toList();
                compareFields(label + "risk event", c.riskEvents(), mine, diffs);
            }
        }
        if (c.incidents() != null) {
            Set<String> incidentIds = new HashSet<>();
            rules.catalog().incidentRules().forEach(r -> incidentIds.add(r.id()));
            List<Map<String, Object>> got = notables.stream().filter(n -> incidentIds.contains(n.ruleId()))
                    .map(Notable::fields).toList();
            compareFields("incident", c.incidents(), got, diffs);
        }
        return new CaseResult(spec.file(), spec.detection(), c.name(), diffs.isEmpty() ? Status.PASS : Status.FAIL, diffs);
    }

    private String title(String id) {
        DetectionRule d = rules.catalog().byId(id);
        return d != null ? d.title() : id;
    }

    /** Compares expected records (only the keys given) with actual ones, in order. */
    static void compareFields(String what, List<Map<String, Object>> expected, List<Map<String, Object>> actual,
                              List<String> diffs) {
        if (expected.size() != actual.size()) {
            diffs.add(what + "s: expected " + expected.size() + ", got " + actual.size());
        }
        for (int i = 0; i < Math.min(expected.size(), actual.size()); i++) {
            for (Map.Entry<String, Object> e : expected.get(i).entrySet()) {
                String w = e.getValue() == null ? null : e.getValue().toString();
                Object gv = actual.get(i).get(e.getKey());
                String g = gv == null ? null : gv.toString();
                if (!Objects.equals(w, g)) {
                    diffs.add(what + " " + (i + 1) + " " + e.getKey() + ": expected '" + w + "', got '" + g + "'");
                }
            }
        }
        for (int i = expected.size(); i < actual.size(); i++) {
            Map<String, Object> f = actual.get(i);
            diffs.add("unexpected " + what + " " + (i + 1) + ": " + f.get("risk_object_type") + " " + f.get("risk_object")
                    + " " + f.getOrDefault("rule_title", f.get("source")));
        }
    }

    static void compareNotables(String label, List<Map<String, Object>> expected, List<Notable> actual, List<String> diffs) {
        if (expected.size() != actual.size()) {
            diffs.add(label + "notables: expected " + expected.size() + ", got " + actual.size());
        }
        for (int i = 0; i < Math.min(expected.size(), actual.size()); i++) {
            Map<String, Object> want = expected.get(i);
            Map<String, Object> got = actual.get(i).fields();
            for (Map.Entry<String, Object> e : want.entrySet()) {
                String w = e.getValue() == null ? null : e.getValue().toString();
                Object gv = got.get(e.getKey());
                String g = gv == null ? null : gv.toString();
                if (!got.containsKey(e.getKey())) {
                    diffs.add(label + "notable " + (i + 1) + ": no field '" + e.getKey() + "' (expected '" + w + "')");
                } else if (!Objects.equals(w, g)) {
                    diffs.add(label + "notable " + (i + 1) + " " + e.getKey() + ": expected '" + w + "', got '" + g + "'");
                }
            }
        }
        for (int i = expected.size(); i < actual.size(); i++) {
            Map<String, Object> f = actual.get(i).fields();
            diffs.add(label + "unexpected notable " + (i + 1) + ": count=" + f.get("count") + " firstTime=" + f.get("firstTime")
                    + " risk_object=" + f.get("risk_object"));
        }
    }

    /** The pass/fail table, one row per case, differences indented below failing rows. */
    public static String table(List<CaseResult> results) {
        int wSpec = "SPEC".length();
        int wCase = "CASE".length();
        for (CaseResult r : results) {
            wSpec = Math.max(wSpec, r.spec().getFileName().toString().length());
            wCase = Math.max(wCase, r.caseName().length());
        }
        wCase = Math.min(wCase, 70);
        StringBuilder sb = new StringBuilder();
        String fmt = "%-6s %-" + wSpec + "s  %-" + wCase + "s%n";
        sb.append(String.format(fmt, "RESULT", "SPEC", "CASE"));
        for (CaseResult r : results) {
            sb.append(String.format(fmt, r.status(), r.spec().getFileName(), r.caseName()));
            for (String d : r.differences()) {
                sb.append("         ").append(r.status() == Status.SKIP ? "skipped: " : "- ").append(d).append('\n');
            }
        }
        long pass = results.stream().filter(r -> r.status() == Status.PASS).count();
        long fail = results.stream().filter(r -> r.status() == Status.FAIL).count();
        long skip = results.stream().filter(r -> r.status() == Status.SKIP).count();
        sb.append(String.format("%d case%s: %d passed, %d failed, %d skipped%n",
                results.size(), results.size() == 1 ? "" : "s", pass, fail, skip));
        return sb.toString();
    }
}
