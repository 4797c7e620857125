package io.procwatch.lookup;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import inet.ipaddr.AddressStringParameters;
import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressSeqRange;
import inet.ipaddr.IPAddressString;
import inet.ipaddr.IPAddressStringParameters;

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
 * cells use {@code |}, as in ES. Immutable; read again with the rules on every reload.
 *
 * <p>Matching, case-insensitive as ES's default. An asset matches a {@code dest} that equals one of its {@code ip},
 * {@code mac}, {@code nt_host} or {@code dns} values; an IP address also matches the {@code ip} CIDR blocks
 * ({@code 10.0.0.0/8}) and ranges ({@code 10.0.0.1-10.0.0.20}), the first such row in file order winning when no
 * row names the address itself (Splunk's CIDR lookups take the first match in file order). A fully qualified
 * {@code dest} with no exact match matches an {@code nt_host} equal to its first label ({@code WKS-01.corp.example}
 * → {@code WKS-01}), and a short one a {@code dns} value whose first label it is: Sysmon's {@code Computer} is a
 * fully qualified name while asset lists often name Windows hosts by {@code nt_host} only. An identity matches a
 * {@code user} that equals one of its {@code identity} values or its {@code email}, written bare,
 * {@code DOMAIN\\user} or {@code user@domain}, and also by the user part of its {@code email} (ES's "email short").
 * Exact keys win over the derived ones; among equal keys the first row in the file wins.
 */
public final class Lookups {

    /** An asset or identity row's enrichment: priority, categories, watchlist flag (identities) and bunit. */
    public record Entry(String priority, List<String> category, boolean watchlist, String bunit) {
    }

    /** An {@code ip} cell's CIDR block or range, with its row. */
    private record Network(IPAddressSeqRange range, Entry entry) {
    }

    /** IP literals only: no single-segment, inet_aton (octal) or wildcard forms, which a host name could be. */
    private static final IPAddressStringParameters IP_LITERAL = new IPAddressStringParameters.Builder()
            .allowEmpty(false).allowAll(false).allowSingleSegment(false).allowWildcardedSeparator(false)
            .setRangeOptions(AddressStringParameters.RangeParameters.NO_RANGE)
            .getIPv4AddressParametersBuilder().allow_inet_aton(false).getParentBuilder().toParams();

    private static final Lookups EMPTY = new Lookups(new Keys(), new Keys(), 0, 0);

    /** The keys of one file, by how they match. */
    private static final class Keys {
        final Map<String, Entry> exact = new HashMap<>();
        /** Assets: nt_host values (for an FQDN's first label). Identities: the user part of each email. */
        final Map<String, Entry> shortName = new HashMap<>();
        /** Assets: the first label of each dns value (for a short dest). */
        final Map<String, Entry> dnsLabel = new HashMap<>();
        final List<Network> networks = new ArrayList<>();

        boolean isEmpty() {
            return exact.isEmpty() && networks.isEmpty();
        }
    }

    private final Keys assets;
    private final Keys identities;
    private final int assetRows;
    private final int identityRows;

    private Lookups(Keys assets, Keys identities, int assetRows, int identityRows) {
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
     * @throws LookupFileException naming file and line of a malformed row or of an {@code ip} value that is no
     *                              address, CIDR block or range
     * @throws IOException           when a file cannot be read
     */
    public static Lookups fromRulesDirectory(Path dir) throws IOException {
        Path assets = dir.resolve("lookups").resolve("assets.csv");
        Path identities = dir.resolve("lookups").resolve("identities.csv");
        if (!Files.isRegularFile(assets) && !Files.isRegularFile(identities)) {
            return EMPTY;
        }
        Keys a = new Keys();
        Keys i = new Keys();
        int na = Files.isRegularFile(assets) ? read(assets, false, a) : 0;
        int ni = Files.isRegularFile(identities) ? read(identities, true, i) : 0;
        return new Lookups(a, i, na, ni);
    }

    private static int read(Path file, boolean identity, Keys into) throws IOException {
        CsvMapper mapper = new CsvMapper();
        mapper.enable(CsvParser.Feature.TRIM_SPACES);
        int rows = 0;
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8);
             MappingIterator<Map<String, String>> it = mapper.readerForMapOf(String.class)
                     .with(CsvSchema.emptySchema().withHeader()).readValues(r)) {
            while (it.hasNextValue()) {
                long line = it.getCurrentLocation().getLineNr(); // the row's; once read, the parser is on the next
                Map<String, String> row;
                try {
                    row = it.nextValue();
                } catch (RuntimeException e) {
                    throw new LookupFileException(file, (int) it.getCurrentLocation().getLineNr(), e.getMessage(), e);
                }
                rows++;
                Entry entry = new Entry(lc(row.get("priority")), split(row.get("category")),
                        "true".equalsIgnoreCase(String.valueOf(row.get("watchlist"))), row.get("bunit"));
                if (identity) {
                    keys(row.get("identity"), entry, into.exact);
                    keysAndPrefixes(row.get("email"), '@', entry, into.exact, into.shortName);
                } else {
                    for (String ip : split(row.get("ip"))) {
                        String problem = ip(ip, entry, into);
                        if (problem != null) {
                            throw new LookupFileException(file, (int) line, problem, null);
                        }
                    }
                    keys(row.get("mac"), entry, into.exact);
                    keys(row.get("nt_host"), entry, into.exact);
                    keys(row.get("nt_host"), entry, into.shortName);
                    keysAndPrefixes(row.get("dns"), '.', entry, into.exact, into.dnsLabel);
                }
            }
        }
        return rows;
    }

    /**
     * Adds one {@code ip} value: an address (an exact key), a CIDR block or a range {@code low-high}.
     *
     * @return what is wrong with it, or {@code null}
     */
    private static String ip(String value, Entry entry, Keys into) {
        int dash = value.indexOf('-');
        if (dash > 0) {
            IPAddress low = address(value.substring(0, dash).trim());
            IPAddress high = address(value.substring(dash + 1).trim());
            if (low == null || high == null || low.getIPVersion() != high.getIPVersion()) {
                return "ip range '" + value + "' is not two addresses of one IP version";
            }
            into.networks.add(new Network(low.spanWithRange(high), entry));
            return null;
        }
        IPAddressString s = new IPAddressString(value, IP_LITERAL);
        IPAddress a = s.getAddress();
        if (a == null) {
            return "ip '" + value + "' is not an IP address, CIDR block or range";
        }
        if (s.isPrefixed()) {
            into.networks.add(new Network(a.toPrefixBlock().toSequentialRange(), entry));
        } else {
            into.exact.putIfAbsent(a.toNormalizedString(), entry);
        }
        return null;
    }

    /** An IP literal (no prefix), or {@code null}. */
    private static IPAddress address(String s) {
        IPAddressString a = new IPAddressString(s, IP_LITERAL);
        return a.isPrefixed() ? null : a.getAddress();
    }

    /** Each value of {@code cell} a key, and its part before the first {@code separator} a key in {@code prefixes}. */
    private static void keysAndPrefixes(String cell, char separator, Entry entry, Map<String, Entry> keys,
                                        Map<String, Entry> prefixes) {
        for (String v : split(cell)) {
            keys.putIfAbsent(lower(v), entry);
            int at = v.indexOf(separator);
            if (at > 0) {
                prefixes.putIfAbsent(lower(v.substring(0, at)), entry);
            }
        }
    }

    private static void keys(String cell, Entry entry, Map<String, Entry> into) {
        for (String key : split(cell)) {
            into.putIfAbsent(lower(key), entry);
        }
    }

    private static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
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

    /** The asset a {@code dest} value names (see the class comment for how), or {@code null}. */
    public Entry asset(String dest) {
        if (dest == null || dest.isBlank() || assets.isEmpty()) {
            return null;
        }
        String d = lower(dest.trim());
        IPAddress ip = address(d);
        if (ip != null) {
            Entry e = assets.exact.get(ip.toNormalizedString());
            for (int i = 0; e == null && i < assets.networks.size(); i++) {
                Network n = assets.networks.get(i);
                if (n.range().contains(ip)) {
                    e = n.entry();
                }
            }
            return e;
        }
        Entry e = assets.exact.get(d);
        if (e == null) {
            int dot = d.indexOf('.');
            e = dot > 0 ? assets.shortName.get(d.substring(0, dot)) : assets.dnsLabel.get(d);
        }
        return e;
    }

    /** The identity a {@code user} value names (bare, {@code DOMAIN\\user} or {@code user@domain}), or {@code null}. */
    public Entry identity(String user) {
        if (user == null || user.isBlank() || identities.isEmpty()) {
            return null;
        }
        String u = lower(user.trim());
        Entry e = identities.exact.get(u);
        String bare = u;
        if (u.contains("\\")) {
            bare = u.substring(u.lastIndexOf('\\') + 1);
        } else if (u.indexOf('@') > 0) {
            bare = u.substring(0, u.indexOf('@'));
        }
        if (e == null) {
            e = identities.exact.get(bare);
        }
        if (e == null) {
            e = identities.shortName.get(bare);
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
