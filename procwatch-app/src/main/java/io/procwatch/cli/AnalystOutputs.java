package io.procwatch.cli;

import io.procwatch.aggregate.Notable;
import io.procwatch.detect.Match;
import io.procwatch.detect.RuleSet;
import io.procwatch.engine.ScanStats;
import io.procwatch.write.DetectionDigest;
import io.procwatch.write.NotableWriter;
import io.procwatch.write.TimeDisplay;
import io.procwatch.write.TimelineRow;
import io.procwatch.write.TimelineWriter;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * What a scan writes beside the notables: the summary's digest of matches, the timeline ({@code --timeline}) and
 * the HTML report ({@code --html}). Told every kept match and every notable on the session thread.
 */
final class AnalystOutputs implements Consumer<Match> {

    private final AnalystOptions options;
    private final RuleSet rules;
    private final TimeDisplay display;
    private final DetectionDigest digest = new DetectionDigest();
    /** The timeline's rows when a timeline or report is asked for; null otherwise. */
    private final List<TimelineRow> timeline;
    /** The notables, kept for the report only. */
    private final List<Notable> notables = new ArrayList<>();

    AnalystOutputs(AnalystOptions options, RuleSet rules, TimeDisplay display) {
        this.options = options;
        this.rules = rules;
        this.display = display;
        this.timeline = options.timeline != null || options.html != null ? new ArrayList<>() : null;
    }

    @Override
    public void accept(Match m) {
        digest.accept(m);
        if (timeline != null) {
            timeline.add(TimelineRow.of(m));
        }
    }

    /** {@code writer}, also keeping each notable for the report when one is asked for. */
    NotableWriter observe(NotableWriter writer) {
        if (options.html == null) {
            return writer;
        }
        return new NotableWriter() {
            @Override
            public void write(Notable n) throws IOException {
                notables.add(n);
                writer.write(n);
            }

            @Override
            public void close() throws IOException {
                writer.close();
            }
        };
    }

    DetectionDigest digest() {
        return digest;
    }

    /** Writes the timeline and the report once the scan is done. */
    void finish(ScanStats stats) throws IOException {
        if (timeline == null) {
            return;
        }
        timeline.sort(TimelineRow.ORDER);
        if (options.timeline != null) {
            try (Writer w = open(options.timeline)) {
                new TimelineWriter(w, options.timelineFormat(), display).writeRows(timeline);
            }
        }
        if (options.html != null) {
            try (Writer w = open(options.html)) {
                HtmlReport.write(w, stats, rules.catalog().detections(), digest, notables, timeline, display);
            }
        }
    }

    private static Writer open(Path p) throws IOException {
        if (p.toAbsolutePath().getParent() != null) {
            Files.createDirectories(p.toAbsolutePath().getParent());
        }
        return Files.newBufferedWriter(p, StandardCharsets.UTF_8);
    }
}
