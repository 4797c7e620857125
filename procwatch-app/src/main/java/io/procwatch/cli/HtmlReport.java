package io.procwatch.cli;

import com.github.mustachejava.DefaultMustacheFactory;
import com.github.mustachejava.Mustache;
import io.procwatch.aggregate.Notable;
import io.procwatch.detect.DetectionRule;
import io.procwatch.detect.RuleLabels;
import io.procwatch.engine.ScanStats;
import io.procwatch.write.DetectionDigest;
import io.procwatch.write.NotableColumns;
import io.procwatch.write.TimeDisplay;
import io.procwatch.write.TimelineRow;

import java.io.IOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code scan --html FILE}: one self-contained page (no network: styles and script inline, a content security
 * policy that forbids loading anything) with the run's figures, the detections table, a chart of matches over time by
 * level (inline SVG), and the notables and timeline as tables filtered in the page. Rendered from
 * {@code report.mustache}, which escapes every value, so event data cannot inject markup.
 */
final class HtmlReport {

    private static final Mustache TEMPLATE = new DefaultMustacheFactory("io/procwatch/cli").compile("report.mustache");
    static final Map<String, String> COLORS = Map.of("informational", "#9e9e9e", "low", "#43a047", "medium", "#fb8c00",
            "high", "#e53935", "critical", "#8e24aa");
    /** Candidate bucket sizes for the chart, smallest first; the first giving at most {@link #MAX_BUCKETS} is used. */
    private static final long[] BUCKETS = {60_000L, 300_000L, 900_000L, 3_600_000L, 10_800_000L, 21_600_000L,
            43_200_000L, 86_400_000L, 604_800_000L, 2_592_000_000L};
    private static final String[] BUCKET_NAMES = {"minute", "5 minutes", "15 minutes", "hour", "3 hours", "6 hours",
            "12 hours", "day", "week", "30 days"};
    static final int MAX_BUCKETS = 60;

    private HtmlReport() {
    }

    static void write(Writer out, ScanStats stats, List<DetectionRule> detections, DetectionDigest digest,
                      List<Notable> notables, List<TimelineRow> timeline, TimeDisplay display) throws IOException {
        Map<String, Object> scope = new LinkedHashMap<>();
        scope.put("inputs", String.format("%,d", stats.inputs()));
        scope.put("events", String.format("%,d", stats.events()));
        scope.put("processEvents", String.format("%,d", stats.processEvents()));
        scope.put("rejected", String.format("%,d", stats.rejected()));
        scope.put("eventSpan", stats.firstEventTime() <= stats.lastEventTime()
                ? display.format(stats.firstEventTime()) + " – " + display.format(stats.lastEventTime()) : "(no events)");
        scope.put("matches", String.format("%,d", timeline.size()));
        scope.put("notableCount", String.format("%,d", notables.size()));
        scope.put("zone", display.zone().equals(java.time.ZoneOffset.UTC) ? "UTC" : display.zone().getId());
        scope.put("levels", RuleLabels.LEVELS);
        scope.put("detections", detectionRows(stats, detections, digest));
        Map<String, DetectionRule> byId = new LinkedHashMap<>();
        detections.forEach(d -> byId.put(d.id(), d));
        List<Map<String, Object>> notableRows = new ArrayList<>();
        for (Notable n : notables) {
            Map<String, Object> r = new LinkedHashMap<>();
            Map<String, Object> f = n.fields();
            r.put("windowStart", display.format(n.windowStart()));
            r.put("level", String.valueOf(f.get("rule_level")));
            r.put("title", f.get("rule_title"));
            r.put("riskObject", f.get("risk_object"));
            r.put("count", f.get("count"));
            r.put("first", f.get("firstTime"));
            r.put("last", f.get("lastTime"));
            r.put("message", f.get("risk_message"));
            r.put("evidence", NotableColumns.cell(n, "evidence"));
            r.put("id", n.id());
            notableRows.add(r);
        }
        scope.put("notables", notableRows);
        List<Map<String, Object>> timelineRows = new ArrayList<>();
        for (TimelineRow t : timeline) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("time", display.format(t.time()));
            r.put("computer", t.cell("computer", display));
            r.put("title", t.cell("rule_title", display));
            r.put("level", t.cell("level", display));
            r.put("user", t.cell("user", display));
            r.put("image", t.cell("Image", display));
            r.put("commandLine", t.cell("CommandLine", display));
            r.put("parentImage", t.cell("ParentImage", display));
            r.put("ref", t.cell("ref", display));
            timelineRows.add(r);
        }
        scope.put("timeline", timelineRows);
        Map<String, Object> chart = chart(timeline, display);
        if (chart != null) {
            scope.put("chart", chart);
        }
        TEMPLATE.execute(out, scope);
        out.flush();
    }

    /** The detections with matches, by level then matches (as the summary lists them). */
    private static List<Map<String, Object>> detectionRows(ScanStats stats, List<DetectionRule> detections,
                                                           DetectionDigest digest) {
        List<DetectionRule> sorted = new ArrayList<>(detections);
        sorted.removeIf(d -> stats.matches().getOrDefault(d.id(), 0L) == 0);
        sorted.sort(Comparator.comparingInt((DetectionRule d) -> -d.labels().levelRank())
                .thenComparing(d -> -stats.matches().getOrDefault(d.id(), 0L)).thenComparing(DetectionRule::title));
        List<Map<String, Object>> rows = new ArrayList<>();
        for (DetectionRule d : sorted) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("level", d.labels().level());
            r.put("matches", stats.matches().getOrDefault(d.id(), 0L));
            r.put("suppressed", stats.suppressed().getOrDefault(d.id(), 0L));
            r.put("notables", stats.notables().getOrDefault(d.id(), 0L));
            DetectionDigest.PerRule p = digest.of(d.id());
            r.put("hosts", p == null ? 0 : p.hostCount());
            r.put("title", d.title());
            r.put("id", d.id());
            rows.add(r);
        }
        return rows;
    }

    /** Stacked bars of matches per time bucket and level, or null without matches. */
    static Map<String, Object> chart(List<TimelineRow> timeline, TimeDisplay display) {
        if (timeline.isEmpty()) {
            return null;
        }
        long first = timeline.stream().mapToLong(TimelineRow::time).min().orElseThrow();
        long last = timeline.stream().mapToLong(TimelineRow::time).max().orElseThrow();
        int size = BUCKETS.length - 1;
        for (int i = 0; i < BUCKETS.length; i++) {
            if ((last - first) / BUCKETS[i] + 1 <= MAX_BUCKETS) {
                size = i;
                break;
            }
        }
        long bucket = BUCKETS[size];
        long start = Math.floorDiv(first, bucket) * bucket;
        int n = (int) Math.min(MAX_BUCKETS, (last - start) / bucket + 1);
        long[][] counts = new long[n][RuleLabels.LEVELS.size()];
        for (TimelineRow t : timeline) {
            int b = (int) Math.min(n - 1, (t.time() - start) / bucket);
            int level = Math.max(0, RuleLabels.rankOf(t.cell("level", display)));
            counts[b][level]++;
        }
        long max = 1;
        for (long[] c : counts) {
            max = Math.max(max, java.util.Arrays.stream(c).sum());
        }
        int width = 900;
        int height = 220;
        int top = 24;
        int bottom = height - 24;
        double slot = (width - 50.0) / n;
        List<Map<String, Object>> bars = new ArrayList<>();
        for (int b = 0; b < n; b++) {
            double y = bottom;
            for (int l = 0; l < counts[b].length; l++) {
                if (counts[b][l] == 0) {
                    continue;
                }
                double h = (bottom - top) * (double) counts[b][l] / max;
                y -= h;
                String level = RuleLabels.LEVELS.get(l);
                Map<String, Object> bar = new LinkedHashMap<>();
                bar.put("x", fmt(40 + b * slot + 1));
                bar.put("y", fmt(y));
                bar.put("w", fmt(Math.max(1, slot - 2)));
                bar.put("h", fmt(h));
                bar.put("color", COLORS.get(level));
                bar.put("level", level);
                bar.put("label", display.format(start + b * bucket) + ": " + counts[b][l] + " " + level);
                bars.add(bar);
            }
        }
        List<Map<String, Object>> legend = new ArrayList<>();
        for (int l = 0; l < RuleLabels.LEVELS.size(); l++) {
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("x", 300 + l * 110);
            item.put("textX", 314 + l * 110);
            item.put("color", COLORS.get(RuleLabels.LEVELS.get(l)));
            item.put("level", RuleLabels.LEVELS.get(l));
            legend.add(item);
        }
        Map<String, Object> chart = new LinkedHashMap<>();
        chart.put("width", width);
        chart.put("height", height);
        chart.put("bars", bars);
        chart.put("legend", legend);
        chart.put("bucket", BUCKET_NAMES[size]);
        chart.put("axisY", bottom);
        chart.put("axisEnd", width - 10);
        chart.put("labelY", height - 8);
        chart.put("from", display.format(start));
        chart.put("to", display.format(start + n * bucket));
        chart.put("max", max);
        return chart;
    }

    private static String fmt(double v) {
        return String.format(java.util.Locale.ROOT, "%.1f", v);
    }
}
