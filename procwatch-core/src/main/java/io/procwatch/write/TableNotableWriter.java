package io.procwatch.write;

import io.procwatch.read.PrintableText;
import io.procwatch.aggregate.Notable;

import java.io.IOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.List;

/**
 * An aligned table of the columns an analyst scans first (window, detection, risk object, count, times,
 * message). Rows are held until close to size the columns; use NDJSON or CSV for everything else.
 */
public final class TableNotableWriter implements NotableWriter {

    static final List<String> SHOWN = List.of("window_start", "rule_title", "severity", "risk_object", "count",
            "firstTime", "lastTime", "late", "risk_message");
    private static final int MAX_CELL = 120;

    /** The columns that hold times (stored in UTC), shown in the display's zone. */
    private static final java.util.Set<String> TIMES = java.util.Set.of("window_start", "firstTime", "lastTime");

    private final Writer out;
    private final TimeDisplay display;
    private final List<List<String>> rows = new ArrayList<>();

    TableNotableWriter(Writer out, TimeDisplay display) {
        this.out = out;
        this.display = display;
    }

    @Override
    public void write(Notable notable) {
        List<String> row = new ArrayList<>();
        for (String c : SHOWN) {
            // Event data may carry terminal escape sequences: shown as \xNN, never sent to the terminal.
            String v = PrintableText.clean(NotableColumns.cell(notable, c).replace('\n', ' '));
            if (TIMES.contains(c) && !display.zone().normalized().equals(java.time.ZoneOffset.UTC) && !v.isEmpty()) {
                v = display.format(utcMillis(v));
            }
            row.add(v.length() > MAX_CELL ? v.substring(0, MAX_CELL - 1) + "…" : v);
        }
        rows.add(row);
    }

    /** A stored time ({@code …Z} for windows, Splunk's ctime without zone, which is UTC) as epoch ms. */
    private static long utcMillis(String stored) {
        String iso = stored.endsWith("Z") ? stored : stored + "Z";
        return java.time.Instant.parse(iso).toEpochMilli();
    }

    @Override
    public void close() throws IOException {
        int[] width = new int[SHOWN.size()];
        for (int i = 0; i < width.length; i++) {
            width[i] = SHOWN.get(i).length();
        }
        for (List<String> r : rows) {
            for (int i = 0; i < width.length; i++) {
                width[i] = Math.max(width[i], r.get(i).length());
            }
        }
        line(SHOWN, width);
        List<String> rule = new ArrayList<>();
        for (int w : width) {
            rule.add("-".repeat(w));
        }
        line(rule, width);
        for (List<String> r : rows) {
            line(r, width);
        }
        out.write(rows.size() + " notable" + (rows.size() == 1 ? "" : "s") + "\n");
        out.flush();
    }

    private void line(List<String> cells, int[] width) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < cells.size(); i++) {
            String c = cells.get(i);
            sb.append(c);
            if (i < cells.size() - 1) {
                sb.append(" ".repeat(width[i] - c.length() + 2));
            }
        }
        out.write(sb.toString().stripTrailing());
        out.write('\n');
    }
}
