package io.procwatch.normalize;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A field map kept as data (a {@code .map} resource beside this class): rows of {@code target source [transform]}.
 * Used for the 4688 → Sysmon names and for the CIM names, so a mapping change is a data edit.
 */
public final class FieldMapping {

    /** How a source value becomes the target value. */
    public enum Transform {
        COPY,
        /** Last path component: {@code C:\Windows\cmd.exe} → {@code cmd.exe}. */
        BASENAME,
        /** {@code 0x1f40} → {@code 8000}; a value that is not hex is kept as written. */
        HEX_TO_DECIMAL;

        static Transform parse(String s) {
            return Transform.valueOf(s.toUpperCase().replace('-', '_'));
        }

        String apply(String v) {
            switch (this) {
                case BASENAME: {
                    int cut = Math.max(v.lastIndexOf('\\'), v.lastIndexOf('/'));
                    return cut < 0 ? v : v.substring(cut + 1);
                }
                case HEX_TO_DECIMAL:
                    if (v.length() > 2 && (v.startsWith("0x") || v.startsWith("0X"))) {
                        try {
                            return Long.toString(Long.parseUnsignedLong(v.substring(2), 16));
                        } catch (NumberFormatException e) {
                            return v;
                        }
                    }
                    return v;
                default:
                    return v;
            }
        }
    }

    /** One row of the map. {@code sources} has two names when the row joins them with a backslash. */
    public record Row(String target, String[] sources, Transform transform) {
        String valueFrom(Map<String, String> in) {
            return valueFrom(in::get);
        }

        /** The target's value, reading sources through {@code in} (null for an absent source). */
        String valueFrom(java.util.function.Function<String, String> in) {
            if (sources.length == 2) {
                String a = in.apply(sources[0]);
                String b = in.apply(sources[1]);
                if (a == null && b == null) {
                    return null;
                }
                if (a == null || a.isEmpty()) {
                    return b;
                }
                return b == null ? a : a + "\\" + b;
            }
            String v = in.apply(sources[0]);
            return v == null ? null : transform.apply(v);
        }
    }

    private final List<Row> rows;
    private final java.util.Map<String, Row> byTarget = new java.util.HashMap<>();

    private FieldMapping(List<Row> rows) {
        this.rows = List.copyOf(rows);
        for (Row r : rows) {
            byTarget.putIfAbsent(r.target(), r);
        }
    }

    /** The row that defines {@code target}, or {@code null}. */
    public Row row(String target) {
        return byTarget.get(target);
    }

    public List<Row> rows() {
        return rows;
    }

    /** Loads {@code name} from the resources beside this class. */
    public static FieldMapping load(String name) {
        try (InputStream in = FieldMapping.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing field map resource " + name);
            }
            return parse(in, name);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static FieldMapping parse(InputStream in, String name) throws IOException {
        List<Row> rows = new ArrayList<>();
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        String line;
        int n = 0;
        while ((line = r.readLine()) != null) {
            n++;
            String t = line.strip();
            if (t.isEmpty() || t.startsWith("#")) {
                continue;
            }
            String[] cols = t.split("\\s+");
            if (cols.length < 2 || cols.length > 3) {
                throw new IllegalStateException(name + ":" + n + ": expected 'target source [transform]'");
            }
            Transform tf = cols.length == 3 ? Transform.parse(cols[2]) : Transform.COPY;
            rows.add(new Row(cols[0], cols[1].split("\\\\"), tf));
        }
        return new FieldMapping(rows);
    }

    /**
     * Writes every mapped target into {@code out}, reading sources from {@code in}; absent sources add nothing.
     * All sources are read before any target is written, so {@code in} and {@code out} may be the same map even
     * when a target reuses a source's name (4688's ProcessId becomes ParentProcessId).
     */
    public void applyTo(Map<String, String> in, Map<String, String> out) {
        String[] values = new String[rows.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = rows.get(i).valueFrom(in);
        }
        for (int i = 0; i < values.length; i++) {
            if (values[i] != null) {
                out.put(rows.get(i).target(), values[i]);
            }
        }
    }
}
