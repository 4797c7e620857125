package io.procwatch.lookup;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Splunk ES asset and identity lookups: {@code lookups/assets.csv} (columns {@code ip, mac, nt_host, dns, owner,
 * priority, lat, long, city, country, bunit, category, pci_domain, is_expected, should_timesync, should_update,
 * requires_av}) and {@code lookups/identities.csv} ({@code identity, prefix, nick, first, last, suffix, email, phone,
 * phone2, managedBy, priority, bunit, category, watchlist, startDate, endDate}) beside the DRL files. Multi-valued
 * cells use {@code |}, as in ES. Keys match case-insensitively: an asset by any of its {@code ip}, {@code mac},
 * {@code nt_host} and {@code dns} values (a fully qualified {@code dest} also by its host label); an identity by any
 * of its {@code identity} values or its {@code email}, for a {@code user} written bare, {@code DOMAIN\\user} or
 * {@code user@domain}. Immutable; read again with the rules on every reload.
 */
public final class Lookups {

    /** An asset or identity row's enrichment: priority, categories, watchlist flag (identities) and bunit. */
    public record Entry(String priority, List<String> category, boolean watchlist, String bunit) {
    }

    private static final Lookups EMPTY = new Lookups(Map.of(), Map.of(), 0, 0);

    private final Map<String, Entry> assets;
    private final Map<String, Entry> identities;
    private final int assetRows;
    private final int identityRows;

    private Lookups(Map<String, Entry> assets, Map<String, Entry> identities, int assetRows, int identityRows) {
        this.assets = assets;
        this.identities = identities;
        this.assetRows = assetRows;
        this.identityRows = identityRows;
    }

    /** No assets, no identities. */
    public static Lookups empty() {
        return EMPTY;
    }

    /**
     * Reads {@code dir/lookups/assets.csv} and {@code dir/lookups/identities.csv} when present.
     *
     * @throws IOException naming file and line of a malformed row
     */
    public static Lookups fromRulesDirectory(Path dir) throws IOException {
        Path assets = dir.resolve("lookups").resolve("assets.csv");
        Path identities = dir.resolve("lookups").resolve("identities.csv");
        if (!Files.isRegularFile(assets) && !Files.isRegularFile(identities)) {
            return EMPTY;
        }
        Map<String, Entry> a = new HashMap<>();
        Map<String, Entry> i = new HashMap<>();
        int na = Files.isRegularFile(assets) ? read(assets, false, a) : 0;
        int ni = Files.isRegularFile(identities) ? read(identities, true, i) : 0;
        return new Lookups(Map.copyOf(a), Map.copyOf(i), na, ni);
    }

    private static int read(Path file, boolean identity, Map<String, Entry> into) throws IOException {
        CsvMapper mapper = new CsvMapper();
        mapper.enable(CsvParser.Feature.TRIM_SPACES);
        int rows = 0;
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8);
             MappingIterator<Map<String, String>> it = mapper.readerForMapOf(String.class)
                     .with(CsvSchema.emptySchema().withHeader()).readValues(r)) {
            List<String> keyColumns = identity ? List.of("identity", "email") : List.of("ip", "mac", "nt_host", "dns");
            while (it.hasNextValue()) {
                Map<String, String> row;
                try {
                    row = it.nextValue();
                } catch (RuntimeException e) {
                    throw new IOException(file + ":" + it.getCurrentLocation().getLineNr() + ": " + e.getMessage(), e);
                }
                rows++;
                Entry entry = new Entry(lc(row.get("priority")), split(row.get("category")),
                        "true".equalsIgnoreCase(String.valueOf(row.get("watchlist"))), row.get("bunit"));
                for (String col : keyColumns) {
                    for (String key : split(row.get(col))) {
                        into.putIfAbsent(key.toLowerCase(Locale.ROOT), entry);
                    }
                }
            }
        }
        return rows;
    }

    private static String lc(String s) {
        return s == null || s.isBlank() ? null : s.trim().toLowerCase(Locale.ROOT);
    }

    private static List<String> split(String cell) {
        if (cell == null || cell.isBlank()) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (String v : cell.split("\\|")) {
            if (!v.isBlank()) {
                out.add(v.trim());
            }
        }
        return List.copyOf(out);
    }

    /** The asset a {@code dest} value names, or {@code null}. */
    public Entry asset(String dest) {
        if (dest == null || dest.isEmpty() || assets.isEmpty()) {
            return null;
        }
        String d = dest.toLowerCase(Locale.ROOT);
        Entry e = assets.get(d);
        int dot = d.indexOf('.');
        if (e == null && dot > 0 && !Character.isDigit(d.charAt(0))) {
            e = assets.get(d.substring(0, dot));
        }
        return e;
    }

    /** The identity a {@code user} value names (bare, {@code DOMAIN\\user} or {@code user@domain}), or {@code null}. */
    public Entry identity(String user) {
        if (user == null || user.isEmpty() || identities.isEmpty()) {
            return null;
        }
        String u = user.toLowerCase(Locale.ROOT);
        Entry e = identities.get(u);
        if (e == null && u.contains("\\")) {
            e = identities.get(u.substring(u.lastIndexOf('\\') + 1));
        }
        if (e == null && u.contains("@")) {
            e = identities.get(u.substring(0, u.indexOf('@')));
        }
        return e;
    }

    public int assetRows() {
        return assetRows;
    }

    public int identityRows() {
        return identityRows;
    }

    @Override
    public String toString() {
        return "Lookups" + Arrays.asList(assetRows + " assets", identityRows + " identities");
    }
}
