package io.procwatch.write;

import io.procwatch.aggregate.Notable;
import io.procwatch.aggregate.Provenance;
import io.procwatch.detect.DetectionRule;
import io.procwatch.detect.Match;
import io.procwatch.normalize.ProcessEvent;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One row of the per-detection timeline: one matching event (after the filter rules), what an analyst reads first
 * (time, computer, rule, level, user, image, command line), and where to find the record again.
 *
 * @param time     event time, epoch ms UTC
 * @param values   the cells by {@link #COLUMNS} name, time excluded (shown in the display zone when written)
 */
public record TimelineRow(long time, Map<String, String> values) {

    /** The timeline's columns, in order. */
    public static final List<String> COLUMNS = List.of("time", "computer", "rule_title", "level", "user", "Image",
            "CommandLine", "ParentImage", "ParentCommandLine", "EventID", "rule_id", "rule_tags", "notable_id",
            "ref", "EventRecordID", "ProcessGuid", "ProcessId");

    /** The row of a match. */
    public static TimelineRow of(Match m) {
        DetectionRule rule = m.getRule();
        ProcessEvent e = m.getEvent();
        Provenance p = Provenance.of(e);
        Map<String, String> v = new LinkedHashMap<>();
        v.put("computer", e.get("Computer"));
        v.put("rule_title", rule.title());
        v.put("level", rule.labels().level());
        v.put("user", e.get("User"));
        v.put("Image", e.get("Image"));
        v.put("CommandLine", e.get("CommandLine"));
        v.put("ParentImage", e.get("ParentImage"));
        v.put("ParentCommandLine", e.get("ParentCommandLine"));
        v.put("EventID", String.valueOf(e.getEventId()));
        v.put("rule_id", rule.id());
        v.put("rule_tags", String.join(", ", rule.labels().tags()));
        // The notable of each window the match was placed in (one where the schedule's windows tile time).
        v.put("notable_id", String.join(",", m.getGroupKeys().stream().map(k -> Notable.idOf(rule, k)).toList()));
        v.put("ref", p.ref());
        v.put("EventRecordID", p.eventRecordId());
        v.put("ProcessGuid", p.processGuid());
        v.put("ProcessId", p.processId());
        return new TimelineRow(e.getTime(), v);
    }

    /** A cell's text ("" when absent), the time in {@code display}'s zone. */
    public String cell(String column, TimeDisplay display) {
        if (column.equals("time")) {
            return display.format(time);
        }
        String s = values.get(column);
        return s == null ? "" : s;
    }

    /** Time, then rule title, then reference: a stable order whatever order the inputs were read in. */
    public static final java.util.Comparator<TimelineRow> ORDER = java.util.Comparator.comparingLong(TimelineRow::time)
            .thenComparing(r -> r.cell("rule_title", TimeDisplay.UTC))
            .thenComparing(r -> r.cell("ref", TimeDisplay.UTC));
}
