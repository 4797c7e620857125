package io.procwatch.write;

import io.procwatch.read.PrintableText;
import io.procwatch.engine.ScanStats;
import io.procwatch.read.Origin;

import io.procwatch.detect.DetectionRule;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Renders a scan's {@link ScanStats}: the human summary for stderr and the {@code --stats} JSON. */
public final class ScanSummary {

    private ScanSummary() {
    }

    /** How many hosts the summary lists. */
    static final int TOP_HOSTS = 5;

    /** The summary with every detection listed in catalog order, times in UTC (for callers without a digest). */
    public static String text(ScanStats s) {
        return text(s, null, null, true, TimeDisplay.UTC);
    }

    /**
     * The summary a person reads after a run: the counts, the span of event time scanned, then the detections
     * sorted by level (most severe first) and then by matches, each with the hosts it hit, then the top hosts.
     *
     * @param detections the run's detections (their levels), or null to list them in catalog order without level
     * @param digest     the kept matches' hosts and times, or null
     * @param all        list every detection, not only those with matches
     * @param display    the zone times are shown in
     */
    public static String text(ScanStats s, java.util.List<DetectionRule> detections, DetectionDigest digest,
                              boolean all, TimeDisplay display) {
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
        if (s.outsideTimeRange() > 0) {
            b.append(String.format("  outside --from/--to %,8d  (process events read, not evaluated)%n", s.outsideTimeRange()));
        }
        if (s.firstEventTime() <= s.lastEventTime()) {
            b.append("  event time      ").append(display.format(s.firstEventTime())).append(" .. ")
                    .append(display.format(s.lastEventTime())).append('\n');
        }
        detectionTable(b, s, detections, digest, all);
        if (digest != null) {
            List<DetectionDigest.Host> top = digest.topHosts(TOP_HOSTS);
            if (!top.isEmpty()) {
                b.append("  top hosts (matches, detections):");
                for (DetectionDigest.Host h : top) {
                    b.append(String.format(" %s (%,d, %d)", PrintableText.clean(h.name()), h.matches(), h.detections()));
                }
                b.append('\n');
            }
        }
        b.append(String.format("  notables        %,12d  (risk incidents among them: %,d)%n", s.notableTotal(), s.incidents()));
        b.append(String.format("  risk events     %,12d%n", s.riskEvents()));
        return b.toString();
    }

    /** One row per detection; the title last, so a long title never pushes the figures out of their columns. */
    private static void detectionTable(StringBuilder b, ScanStats s, List<DetectionRule> detections,
                                       DetectionDigest digest, boolean all) {
        Map<String, DetectionRule> byId = new LinkedHashMap<>();
        if (detections != null) {
            detections.forEach(d -> byId.put(d.id(), d));
        }
        List<String> ids = new ArrayList<>(s.titles().keySet());
        if (detections != null) {
            ids.sort(Comparator.comparingInt((String id) -> -level(byId.get(id)))
                    .thenComparing(id -> -s.matches().getOrDefault(id, 0L))
                    .thenComparing(id -> s.titles().get(id)));
        }
        int shown = 0;
        StringBuilder rows = new StringBuilder();
        for (String id : ids) {
            long matches = s.matches().getOrDefault(id, 0L);
            if (!all && matches == 0) {
                continue;
            }
            shown++;
            DetectionRule d = byId.get(id);
            DetectionDigest.PerRule r = digest == null ? null : digest.of(id);
            rows.append(String.format("  %-13s %,9d %,11d %,9d %,9d %6s  %s%n",
                    d == null ? "" : d.labels().level(), matches, s.suppressed().getOrDefault(id, 0L),
                    s.throttled().getOrDefault(id, 0L), s.notables().getOrDefault(id, 0L), r == null ? "" : String.format("%,d", r.hostCount()),
                    PrintableText.clean(s.titles().get(id))));
        }
        int hidden = s.titles().size() - shown;
        b.append(String.format("  detections: %,d with matches of %,d loaded%s%n",
                s.titles().keySet().stream().filter(id -> s.matches().getOrDefault(id, 0L) > 0).count(),
                s.titles().size(), hidden > 0 ? " (-v lists all)" : ""));
        if (shown > 0) {
            b.append(String.format("  %-13s %9s %11s %9s %9s %6s  %s%n", "level", "matches", "suppressed", "throttled",
                    "notables", "hosts", "detection"));
            b.append(rows);
        }
    }

    private static int level(DetectionRule d) {
        return d == null ? -1 : d.labels().levelRank();
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
