package io.procwatch.cli;

import io.procwatch.detect.RuleSelection;
import io.procwatch.detect.RuleSet;
import io.procwatch.engine.EventTimeRange;
import io.procwatch.write.TimeDisplay;
import io.procwatch.write.TimelineWriter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;

/**
 * {@code scan}'s options for an analyst's run: which detections run (level, status, tag, id), which span of event
 * time is scanned, how times are shown, and the timeline and HTML report beside the notables.
 */
final class AnalystOptions {

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(names = "--timeline", paramLabel = "FILE",
            description = "Also write one row per matching event (time, computer, rule, level, user, image, command "
                    + "line, source reference) to FILE: CSV when it ends in .csv, else JSON lines.")
    Path timeline;

    @Option(names = "--timeline-format", paramLabel = "FORMAT",
            description = "csv or jsonl: the timeline's format whatever FILE's name.")
    String timelineFormat;

    @Option(names = "--html", paramLabel = "FILE",
            description = "Also write a self-contained HTML report (summary, detections over time, filterable "
                    + "notables and timeline) to FILE.")
    Path html;

    @Option(names = "--min-level", paramLabel = "LEVEL",
            description = "Load only detections of this level or above: informational, low, medium, high, critical "
                    + "(DRL rules without @level: the severity of their risk score).")
    String minLevel;

    @Option(names = "--status", paramLabel = "STATUS", split = ",",
            description = "Load only detections with one of these statuses (Sigma: stable, test, experimental, …).")
    List<String> statuses = new ArrayList<>();

    @Option(names = "--tag", paramLabel = "TAG", split = ",",
            description = "Load only detections with one of these tags: ATT&CK ids (T1090, attack.t1090; a technique "
                    + "selects its sub-techniques), tactics (attack.command-and-control) or Sigma tags.")
    List<String> tags = new ArrayList<>();

    @Option(names = "--rule-id", paramLabel = "ID", split = ",", description = "Load only the detections with these ids.")
    List<String> ruleIds = new ArrayList<>();

    @Option(names = "--exclude-rule", paramLabel = "ID", split = ",", description = "Do not load the detections with these ids.")
    List<String> excluded = new ArrayList<>();

    @Option(names = "--from", paramLabel = "TIME",
            description = "Scan only events at or after TIME (2024-03-04, 2024-03-04T10:00, or with an offset: "
                    + "2024-03-04T10:00:00Z); without an offset TIME is in --timezone.")
    String from;

    @Option(names = "--to", paramLabel = "TIME", description = "Scan only events before TIME (same forms as --from).")
    String to;

    @Option(names = "--timezone", paramLabel = "ZONE", defaultValue = "UTC",
            description = "Zone for times people read (summary, timeline, HTML report): UTC (default), local, "
                    + "Europe/Berlin, +02:00. Notables' stored times stay UTC.")
    String timezone;

    /** The detections to load. */
    RuleSelection selection() {
        if (minLevel != null && io.procwatch.detect.RuleLabels.rankOf(minLevel) < 0) {
            throw new ParameterException(spec.commandLine(), "--min-level '" + minLevel + "' is not one of "
                    + io.procwatch.detect.RuleLabels.LEVELS);
        }
        return new RuleSelection(minLevel, new HashSet<>(statuses), tags, new HashSet<>(ruleIds),
                new HashSet<>(excluded));
    }

    /** The span of event time to scan. */
    EventTimeRange timeRange() {
        Instant f = instant("--from", from);
        Instant t = instant("--to", to);
        try {
            return new EventTimeRange(f, t);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    /** The zone times are shown in. */
    TimeDisplay display() {
        return new TimeDisplay(zone());
    }

    private ZoneId zone() {
        if (timezone.equalsIgnoreCase("local")) {
            return ZoneId.systemDefault();
        }
        try {
            return timezone.equalsIgnoreCase("utc") ? ZoneOffset.UTC : ZoneId.of(timezone);
        } catch (DateTimeException e) {
            throw new ParameterException(spec.commandLine(), "--timezone '" + timezone
                    + "' is not a zone (UTC, local, Europe/Berlin, +02:00)");
        }
    }

    private Instant instant(String option, String text) {
        if (text == null) {
            return null;
        }
        String v = text.strip();
        try {
            return OffsetDateTime.parse(v).toInstant();
        } catch (DateTimeParseException e) {
            // no offset: in the display zone
        }
        try {
            return LocalDateTime.parse(v).atZone(zone()).toInstant();
        } catch (DateTimeParseException e) {
            // a date alone
        }
        try {
            return LocalDate.parse(v).atStartOfDay(zone()).toInstant();
        } catch (DateTimeParseException e) {
            throw new ParameterException(spec.commandLine(), option + " '" + text
                    + "' is not a time (2024-03-04, 2024-03-04T10:00, 2024-03-04T10:00:00Z)");
        }
    }

    /** The timeline's format: {@code --timeline-format}, else by file name. */
    TimelineWriter.Format timelineFormat() {
        if (timelineFormat == null) {
            return TimelineWriter.Format.byName(timeline.getFileName().toString());
        }
        return switch (timelineFormat.strip().toLowerCase(Locale.ROOT)) {
            case "csv" -> TimelineWriter.Format.CSV;
            case "jsonl", "json", "ndjson" -> TimelineWriter.Format.JSONL;
            default -> throw new ParameterException(spec.commandLine(),
                    "--timeline-format '" + timelineFormat + "' is not one of csv, jsonl");
        };
    }

    /** Where this run's timeline, digest and report go. */
    AnalystOutputs outputs(RuleSet rules) {
        return new AnalystOutputs(this, rules, display());
    }
}
