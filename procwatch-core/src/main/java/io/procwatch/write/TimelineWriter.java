package io.procwatch.write;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.procwatch.detect.Match;

import java.io.IOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The per-detection timeline ({@code scan --timeline FILE}): one row per matching event that the filter rules
 * kept, like Hayabusa's and Chainsaw's default output, as CSV (with a header) or JSON lines. Rows are held until
 * {@link #close} and written in time order (then rule, then reference), so the file does not depend on the order
 * inputs were read in; matches are rare, so this stays small. Not thread-safe: the session thread feeds it.
 */
public final class TimelineWriter implements Consumer<Match>, AutoCloseable {

    /** The timeline formats. */
    public enum Format {
        CSV, JSONL;

        /** By file name: {@code .csv} → CSV, anything else → JSON lines. */
        public static Format byName(String fileName) {
            return fileName.toLowerCase(java.util.Locale.ROOT).endsWith(".csv") ? CSV : JSONL;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Writer out;
    private final Format format;
    private final TimeDisplay display;
    private final List<TimelineRow> rows = new ArrayList<>();

    /** A writer over {@code out}, which {@link #close} flushes but does not close. */
    public TimelineWriter(Writer out, Format format, TimeDisplay display) {
        this.out = out;
        this.format = format;
        this.display = display;
    }

    @Override
    public void accept(Match m) {
        rows.add(TimelineRow.of(m));
    }

    /** The rows so far, in time order. */
    public List<TimelineRow> rows() {
        List<TimelineRow> sorted = new ArrayList<>(rows);
        sorted.sort(TimelineRow.ORDER);
        return sorted;
    }

    @Override
    public void close() throws IOException {
        writeRows(rows());
    }

    /** Writes {@code sorted} (and flushes): for a caller that collected the rows elsewhere. */
    public void writeRows(List<TimelineRow> sorted) throws IOException {
        if (format == Format.CSV) {
            out.write(String.join(",", TimelineRow.COLUMNS));
            out.write("\r\n");
            for (TimelineRow r : sorted) {
                StringBuilder sb = new StringBuilder();
                for (int i = 0; i < TimelineRow.COLUMNS.size(); i++) {
                    sb.append(i > 0 ? "," : "").append(CsvCells.cell(r.cell(TimelineRow.COLUMNS.get(i), display)));
                }
                out.write(sb.append("\r\n").toString());
            }
        } else {
            for (TimelineRow r : sorted) {
                Map<String, String> m = new LinkedHashMap<>();
                for (String c : TimelineRow.COLUMNS) {
                    String v = c.equals("time") ? display.format(r.time()) : r.values().get(c);
                    if (v != null) {
                        m.put(c, v);
                    }
                }
                out.write(JSON.writeValueAsString(m));
                out.write('\n');
            }
        }
        out.flush();
    }
}
