package io.procwatch.write;

import io.procwatch.engine.ScanStats;
import io.procwatch.read.Origin;

import java.util.LinkedHashMap;
import java.util.Map;

/** Renders a scan's {@link ScanStats}: the human summary for stderr and the {@code --stats} JSON. */
public final class ScanSummary {

    private ScanSummary() {
    }

    /** The summary a person reads after a run. */
    public static String text(ScanStats s) {
        StringBuilder b = new StringBuilder();
        double rate = s.seconds() > 0 ? s.events() / s.seconds() : 0;
        b.append(String.format("procwatch scan: %,d input%s, %,d events read in %.1f s (%,.0f events/s)%n",
                s.inputs(), s.inputs() == 1 ? "" : "s", s.events(), s.seconds(), rate));
        b.append(String.format("  process events  %,12d  (Sysmon EID 1, Security 4688)%n", s.processEvents()));
        b.append(String.format("  other events    %,12d  (read and skipped: not process creation)%n", s.otherEvents()));
        b.append(String.format("  rejected        %,12d%n", s.rejected()));
        s.rejectedByReason().forEach((reason, n) -> b.append(String.format("      %,10d  %s%n", n, reason)));
        if (!s.rejections().isEmpty()) {
            b.append("      first: ").append(s.rejections().get(0)).append('\n');
        }
        b.append(String.format("  late            %,12d  (more than the allowance behind the newest event of their input; still detected)%n", s.late()));
        if (!s.lateSamples().isEmpty()) {
            b.append("      first: ").append(s.lateSamples().get(0)).append('\n');
        }
        if (s.failedInputCount() > 0) {
            b.append(String.format("  inputs failed   %,12d%n", s.failedInputCount()));
            for (ScanStats.Problem p : s.failedInputs()) {
                b.append("      ").append(p).append('\n');
            }
        }
        if (s.skippedInputCount() > 0) {
            b.append(String.format("  inputs skipped  %,12d  (no event data: empty, not EVTX/XML/JSON, macOS metadata)%n",
                    s.skippedInputCount()));
        }
        b.append(String.format("  %-64s %9s %11s %9s %9s%n", "detection", "matches", "suppressed", "throttled", "notables"));
        for (Map.Entry<String, String> d : s.titles().entrySet()) {
            String id = d.getKey();
            b.append(String.format("  %-64s %,9d %,11d %,9d %,9d%n", d.getValue(), s.matches().getOrDefault(id, 0L),
                    s.suppressed().getOrDefault(id, 0L), s.throttled().getOrDefault(id, 0L),
                    s.notables().getOrDefault(id, 0L)));
        }
        b.append(String.format("  notables        %,12d  (risk incidents among them: %,d)%n", s.notableTotal(), s.incidents()));
        b.append(String.format("  risk events     %,12d%n", s.riskEvents()));
        return b.toString();
    }

    /** The {@code --stats} document: same figures, machine-readable. */
    public static Map<String, Object> json(ScanStats s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("inputs", s.inputs());
        m.put("inputs_failed", s.failedInputCount());
        m.put("inputs_skipped", s.skippedInputCount());
        m.put("events", s.events());
        m.put("process_events", s.processEvents());
        m.put("other_events", s.otherEvents());
        m.put("rejected", s.rejected());
        m.put("rejected_by_reason", s.rejectedByReason());
        m.put("late", s.late());
        m.put("matches", s.matchTotal());
        m.put("notables", s.notableTotal());
        m.put("throttled", s.throttled().values().stream().mapToLong(Long::longValue).sum());
        m.put("risk_events", s.riskEvents());
        m.put("incidents", s.incidents());
        m.put("seconds", Math.round(s.seconds() * 1000) / 1000.0);
        Map<String, Object> perRule = new LinkedHashMap<>();
        for (Map.Entry<String, String> d : s.titles().entrySet()) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("title", d.getValue());
            r.put("matches", s.matches().getOrDefault(d.getKey(), 0L));
            r.put("suppressed", s.suppressed().getOrDefault(d.getKey(), 0L));
            r.put("throttled", s.throttled().getOrDefault(d.getKey(), 0L));
            r.put("notables", s.notables().getOrDefault(d.getKey(), 0L));
            perRule.put(d.getKey(), r);
        }
        m.put("per_rule", perRule);
        m.put("rejections", s.rejections().stream().map(ScanSummary::problem).toList());
        m.put("failed_inputs", s.failedInputs().stream().map(ScanSummary::problem).toList());
        m.put("late_samples", s.lateSamples().stream().map(Origin::toString).toList());
        return m;
    }

    private static Map<String, String> problem(ScanStats.Problem p) {
        return Map.of("where", p.where(), "reason", p.reason());
    }

}
