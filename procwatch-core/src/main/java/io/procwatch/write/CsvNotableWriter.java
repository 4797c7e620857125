package io.procwatch.write;

import io.procwatch.aggregate.Notable;

import java.io.IOException;
import java.io.Writer;
import java.util.List;

/**
 * RFC 4180 CSV: a header row, then one row per notable; a field is quoted when it holds a comma, quote or newline,
 * and a cell a spreadsheet would run as a formula is neutralised ({@link CsvCells}).
 */
public final class CsvNotableWriter implements NotableWriter {

    private final Writer out;
    private final List<String> columns;

    CsvNotableWriter(Writer out, List<String> columns) {
        this.out = out;
        this.columns = columns;
        try {
            row(columns);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Override
    public void write(Notable notable) throws IOException {
        row(columns.stream().map(c -> NotableColumns.cell(notable, c)).toList());
    }

    private void row(List<String> cells) throws IOException {
        for (int i = 0; i < cells.size(); i++) {
            if (i > 0) {
                out.write(',');
            }
            out.write(quote(cells.get(i)));
        }
        out.write("\r\n");
    }

    static String quote(String s) {
        return CsvCells.cell(s);
    }

    @Override
    public void close() throws IOException {
        out.flush();
    }
}
