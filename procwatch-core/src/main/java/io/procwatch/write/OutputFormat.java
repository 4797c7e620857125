package io.procwatch.write;

import io.procwatch.detect.DetectionRule;

import java.io.Writer;
import java.util.List;

/** The notable formats {@code scan --format} offers. */
public enum OutputFormat {
    /** One JSON object per line (the default; what SIEMs and {@code jq} read). */
    NDJSON,
    /** RFC 4180 CSV with a header; group-by columns of every detection, in detection order. */
    CSV,
    /** An aligned text table for reading in a terminal. */
    TABLE;

    /** A writer of this format over {@code out}; {@code detections} fixes the group-by columns. */
    public NotableWriter open(Writer out, List<DetectionRule> detections) {
        return open(out, detections, TimeDisplay.UTC);
    }

    /**
     * {@link #open(Writer, List)} with the table's times shown in {@code display}'s zone; NDJSON and CSV keep the
     * stored UTC fields, which are data, not display.
     */
    public NotableWriter open(Writer out, List<DetectionRule> detections, TimeDisplay display) {
        return switch (this) {
            case NDJSON -> new NdjsonNotableWriter(out);
            case CSV -> new CsvNotableWriter(out, NotableColumns.of(detections));
            case TABLE -> new TableNotableWriter(out, display);
        };
    }
}
