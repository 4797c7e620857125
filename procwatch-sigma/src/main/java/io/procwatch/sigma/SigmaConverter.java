package io.procwatch.sigma;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import java.util.stream.Stream;

/**
 * Converts Sigma rules (Windows {@code process_creation}) into DRL detections that follow the project's
 * conventions: {@code ProcessEvent} facts reached through {@link SigmaCandidate}, the {@code detections} global,
 * {@link io.procwatch.detect.RuleCatalog} annotations. Matching goes through {@link SigmaMatch}; the literal
 * needles of each rule feed the {@link SigmaPrefilter} through the guard derived from its constraints ({@link DrlGuard}).
 *
 * <p>Stateless after construction and thread-safe.
 */
public final class SigmaConverter {

    /** Wildcard markers inside a parsed value (private-use code points, never in rule text). */
    static final char STAR = '\uE000';
    static final char ONE = '\uE001';

    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));

    private static final Set<String> MODIFIERS = Set.of("contains", "startswith", "endswith", "all", "re", "i", "m",
            "s", "windash", "cidr", "base64", "base64offset", "wide", "utf16le", "utf16be", "utf16", "cased", "exists",
            "fieldref", "expand", "gt", "gte", "lt", "lte", "neq");
    private static final Map<String, String> HASH_FIELDS = Map.of("md5", "MD5=", "sha1", "SHA1=", "sha256", "SHA256=",
            "Imphash", "IMPHASH=");

    /** Sigma field → {event field, logs}. */
    private final Map<String, String[]> fields;
    private final Map<String, List<String>> placeholders;

    public SigmaConverter(Map<String, String[]> fields, Map<String, List<String>> placeholders) {
        this.fields = fields;
        this.placeholders = placeholders;
    }

    /** The converter with the bundled field map and placeholder file. */
    public static SigmaConverter standard() {
        return new SigmaConverter(loadFields(), loadPlaceholders(
                SigmaConverter.class.getResourceAsStream("placeholders.yml")));
    }

    static Map<String, String[]> loadFields() {
        Map<String, String[]> m = new LinkedHashMap<>();
        try (InputStream in = SigmaConverter.class.getResourceAsStream("process_creation.fields")) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                line = line.strip();
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                String[] p = line.split("\\s+");
                m.put(p[0], new String[]{p[1], p[2]});
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return m;
    }

    /** Reads a placeholder file ({@code name: [values]}) for the {@code expand} modifier. */
    public static Map<String, List<String>> loadPlaceholders(InputStream in) {
        Map<String, List<String>> m = new HashMap<>();
        try (in) {
            JsonNode n = YAML.readTree(in);
            if (n != null && n.isObject()) {
                n.fields().forEachRemaining(e -> {
                    List<String> vals = new ArrayList<>();
                    if (e.getValue().isArray()) {
                        e.getValue().forEach(v -> vals.add(v.asText()));
                    } else {
                        vals.add(e.getValue().asText());
                    }
                    m.put(e.getKey(), vals);
                });
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return m;
    }

    // ------------------------------------------------------------------ files

    /** Every {@code .yml}/{@code .yaml} under the paths (files or directories), sorted. */
    public static List<Path> ruleFiles(Collection<Path> paths) throws IOException {
        List<Path> out = new ArrayList<>();
        for (Path p : paths) {
            if (Files.isDirectory(p)) {
                try (Stream<Path> s = Files.walk(p)) {
                    s.filter(f -> Files.isRegularFile(f) && (f.toString().endsWith(".yml") || f.toString().endsWith(".yaml")))
                            .sorted().forEach(out::add);
                }
            } else {
                out.add(p);
            }
        }
        return out;
    }

    /** Converts every rule of every file; nothing is dropped: each document is converted or reported. */
    public ConversionReport convertAll(Collection<Path> paths) throws IOException {
        ConversionReport report = new ConversionReport();
        Set<String> names = new HashSet<>();
        Map<String, String> refs = new HashMap<>();
        List<Object[]> later = new ArrayList<>();
        for (Path f : ruleFiles(paths)) {
            List<JsonNode> docs;
            try {
                docs = readDocuments(f);
            } catch (IOException | RuntimeException e) {
                report.failed(new ConversionReport.Failure(f, null, null, "YAML", String.valueOf(e.getMessage())));
                continue;
            }
            int n = 0;
            for (JsonNode doc : docs) {
                n++;
                String stem = f.getFileName().toString().replaceAll("\\.ya?ml$", "");
                String name = docs.size() > 1 ? stem + "_" + n : stem;
                if (withDerivedId(doc, name)) {
                    report.derivedId(f, doc.path("title").asText(), doc.path("id").asText());
                }
                if (doc.hasNonNull("name") && doc.hasNonNull("id")) {
                    refs.put(doc.path("name").asText(), doc.path("id").asText());
                }
                if (doc.has("filter") || doc.has("correlation")) {
                    later.add(new Object[]{doc, f, name});
                } else {
                    convertOne(doc, f, name, names, report, refs);
                }
            }
        }
        // Filters and correlations name other rules by id or name: converted once every name is known.
        for (Object[] l : later) {
            convertOne((JsonNode) l[0], (Path) l[1], (String) l[2], names, report, refs);
        }
        return report;
    }

    private void convertOne(JsonNode doc, Path f, String name, Set<String> names, ConversionReport report,
                            Map<String, String> refs) {
        String id = doc.path("id").asText(null);
        String title = doc.path("title").asText(null);
        try {
            Converted c = doc.has("filter") && !doc.has("detection") ? convertFilter(doc, f, name, refs)
                    : doc.has("correlation") ? SigmaCorrelations.convert(this, doc, f, name, refs)
                    : convert(doc, f, name);
            String file = c.fileName();
            if (!names.add(file)) {
                file = name + "_" + c.id().substring(0, Math.min(8, c.id().length())) + ".drl";
                names.add(file);
                c = new Converted(c.id(), c.title(), file, c.drl(), c.sysmonOnlyFields(), c.source(), c.guarded());
            }
            report.converted(c);
            if (doc.has("correlation")) {
                report.correlation(new ConversionReport.Correlation(c.id(), c.title(),
                        references(doc.path("correlation").path("rules"), refs), SigmaCorrelations.generate(doc)));
            }
        } catch (SigmaException e) {
            report.failed(new ConversionReport.Failure(f, id, title, e.reason(), e.getMessage()));
        } catch (RuntimeException e) {
            report.failed(new ConversionReport.Failure(f, id, title, "converter error", e.toString()));
        }
    }

    /**
     * The documents of one YAML file. Sigma 1 collections ({@code action: global} / {@code reset} /
     * {@code repeat}) are merged the way the specification describes.
     */
    public static List<JsonNode> readDocuments(Path f) throws IOException {
        List<JsonNode> raw = new ArrayList<>();
        // SnakeYAML's reader fails ("Index 1024 out of bounds") on a surrogate pair (an emoji) that straddles
        // its 1024-character buffer. Characters outside the BMP are swapped for private-use stand-ins before
        // parsing and put back in every key and value after.
        String text = Files.readString(f, StandardCharsets.UTF_8);
        Map<Character, String> standIns = new HashMap<>();
        text = standIns(text, standIns);
        try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(text)) {
            while (it.hasNext()) {
                JsonNode n = it.next();
                if (n != null && !n.isNull() && !n.isMissingNode()) {
                    raw.add(standIns.isEmpty() ? n : restore(n, standIns));
                }
            }
        }
        List<JsonNode> out = new ArrayList<>();
        ObjectNode global = null;
        JsonNode last = null;
        for (JsonNode d : raw) {
            String action = d.path("action").asText("");
            switch (action) {
                case "global" -> {
                    global = ((ObjectNode) d).deepCopy();
                    global.remove("action");
                }
                case "reset" -> global = null;
                case "repeat" -> {
                    if (last != null) {
                        ObjectNode r = ((ObjectNode) last).deepCopy();
                        merge(r, (ObjectNode) d);
                        r.remove("action");
                        out.add(r);
                        last = r;
                    }
                }
                default -> {
                    ObjectNode r = global != null ? global.deepCopy() : YAML.createObjectNode();
                    merge(r, (ObjectNode) d);
                    out.add(r);
                    last = r;
                }
            }
        }
        return out;
    }

    /** Replaces each supplementary code point by a private-use BMP character not otherwise in the text. */
    static String standIns(String text, Map<Character, String> map) {
        if (text.codePoints().noneMatch(Character::isSupplementaryCodePoint)) {
            return text;
        }
        Map<Integer, Character> byCp = new HashMap<>();
        char next = '\uF000';
        StringBuilder sb = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            if (!Character.isSupplementaryCodePoint(cp)) {
                sb.appendCodePoint(cp);
                continue;
            }
            Character c = byCp.get(cp);
            if (c == null) {
                while (text.indexOf(next) >= 0) {
                    next++;
                }
                if (next > '\uF8FF') {
                    throw new IllegalArgumentException("too many distinct characters outside the BMP");
                }
                c = next++;
                byCp.put(cp, c);
                map.put(c, new String(Character.toChars(cp)));
            }
            sb.append(c.charValue());
        }
        return sb.toString();
    }

    private static String restore(String s, Map<Character, String> map) {
        StringBuilder sb = null;
        for (int i = 0; i < s.length(); i++) {
            String r = map.get(s.charAt(i));
            if (r != null && sb == null) {
                sb = new StringBuilder(s.substring(0, i));
            }
            if (sb != null) {
                sb.append(r != null ? r : String.valueOf(s.charAt(i)));
            }
        }
        return sb == null ? s : sb.toString();
    }

    private static JsonNode restore(JsonNode n, Map<Character, String> map) {
        if (n.isTextual()) {
            return YAML.getNodeFactory().textNode(restore(n.asText(), map));
        }
        if (n.isArray()) {
            com.fasterxml.jackson.databind.node.ArrayNode a = YAML.createArrayNode();
            n.forEach(x -> a.add(restore(x, map)));
            return a;
        }
        if (n.isObject()) {
            ObjectNode o = YAML.createObjectNode();
            n.fields().forEachRemaining(e -> o.set(restore(e.getKey(), map), restore(e.getValue(), map)));
            return o;
        }
        return n;
    }

    private static void merge(ObjectNode into, ObjectNode from) {
        Iterator<Map.Entry<String, JsonNode>> it = from.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode cur = into.get(e.getKey());
            if (cur instanceof ObjectNode co && e.getValue() instanceof ObjectNode eo) {
                merge(co, eo);
            } else {
                into.set(e.getKey(), e.getValue().deepCopy());
            }
        }
    }

    // ------------------------------------------------------------------ one rule

    /** A converted rule. */
    public record Converted(String id, String title, String fileName, String drl, Set<String> sysmonOnlyFields,
                            Path source, boolean guarded) {
        public boolean sysmonOnly() {
            return !sysmonOnlyFields.isEmpty();
        }
    }

    /**
     * A Sigma filter ({@code filter: rules: [...]} with searches and a condition): the condition is added to
     * each named rule with {@code and}. As DRL it is a filter rule in the project's convention (salience 100,
     * {@code suppress}) that suppresses a match of those rules whose event does not satisfy the condition.
     */
    public Converted convertFilter(JsonNode doc, Path source, String fileStem, Map<String, String> refs) {
        String id = text(doc, "id");
        String title = text(doc, "title");
        if (id == null || title == null) {
            throw new SigmaException("missing title", "a filter needs a title (a missing id is derived from it)");
        }
        checkLogsource(doc);
        JsonNode flt = doc.path("filter");
        List<String> rules = references(flt.path("rules"), refs);
        if (rules.isEmpty()) {
            throw new SigmaException("filter without rules", "filter.rules names no rule");
        }
        Ctx ctx = new Ctx(id, Target.MATCH);
        Expr root = detection(flt, ctx, Set.of("rules", "condition"));
        String drl = DrlWriter.filter(doc, source, id, title, rules, root, flt);
        return new Converted(id, title, fileStem + ".drl", drl, Set.of(), source, true);
    }

    /** Rule references (ids or names) as rule ids. */
    static List<String> references(JsonNode n, Map<String, String> refs) {
        List<String> out = new ArrayList<>();
        if (n.isArray()) {
            n.forEach(x -> out.add(refs.getOrDefault(x.asText(), x.asText())));
        } else if (n.isTextual()) {
            out.add(refs.getOrDefault(n.asText(), n.asText()));
        }
        return out;
    }

    static void checkLogsource(JsonNode doc) {
        JsonNode ls = doc.path("logsource");
        String category = ls.path("category").asText("");
        String product = ls.path("product").asText("");
        if (!category.equals("process_creation") || !product.equals("windows")) {
            throw new SigmaException("logsource " + (product.isEmpty() ? "-" : product) + "/"
                    + (category.isEmpty() ? "-" : category), "only Windows process_creation is supported");
        }
    }

    /** The searches of {@code det} (keys other than {@code skip}) combined by its condition (string or list). */
    Expr detection(JsonNode det, Ctx ctx, Set<String> skip) {
        Map<String, Expr> searches = new LinkedHashMap<>();
        det.fields().forEachRemaining(e -> {
            if (!skip.contains(e.getKey())) {
                searches.put(e.getKey(), search(e.getKey(), e.getValue(), ctx));
            }
        });
        JsonNode condNode = det.path("condition");
        List<String> conds = new ArrayList<>();
        if (condNode.isArray()) {
            condNode.forEach(c -> conds.add(c.asText()));
        } else if (condNode.isTextual()) {
            conds.add(condNode.asText());
        } else {
            throw new SigmaException("condition", "missing condition");
        }
        List<Expr> alts = new ArrayList<>();
        for (String c : conds) {
            alts.add(resolve(SigmaCondition.parse(c), searches));
        }
        return alts.size() == 1 ? alts.get(0) : new Any(alts, "condition list (any)");
    }

    /**
     * Sigma's {@code id} is optional: a rule without one gets a stable derived id, the name-based (version 3) UUID
     * of {@code procwatch-sigma:<file stem>:<title>}, so the same file converts to the same id on any machine.
     * The report lists each derived id. Returns true when it derived one.
     */
    static boolean withDerivedId(JsonNode doc, String fileStem) {
        if (doc instanceof ObjectNode o && (!doc.hasNonNull("id") || doc.get("id").asText().isBlank())
                && doc.hasNonNull("title")) {
            o.put("id", java.util.UUID.nameUUIDFromBytes(("procwatch-sigma:" + fileStem + ":" + doc.get("title").asText())
                    .getBytes(StandardCharsets.UTF_8)).toString());
            return true;
        }
        return false;
    }

    /** Converts one Sigma document; throws {@link SigmaException} with the reason when it cannot. */
    public Converted convert(JsonNode doc, Path source, String fileStem) {
        withDerivedId(doc, fileStem);
        if (doc.has("correlation")) {
            return SigmaCorrelations.convert(this, doc, source, fileStem, Map.of());
        }
        if (doc.has("filter") && !doc.has("detection")) {
            return convertFilter(doc, source, fileStem, Map.of());
        }
        String id = text(doc, "id");
        String title = text(doc, "title");
        if (id == null || title == null) {
            throw new SigmaException("missing title", "a rule needs a title (a missing id is derived from it)");
        }
        JsonNode ls = doc.path("logsource");
        String category = ls.path("category").asText("");
        String product = ls.path("product").asText("");
        String service = ls.path("service").asText("");
        if (!category.equals("process_creation") || !product.equals("windows")) {
            throw new SigmaException("logsource " + (product.isEmpty() ? "-" : product) + "/"
                    + (category.isEmpty() ? "-" : category) + (service.isEmpty() ? "" : "/" + service),
                    "only Windows process_creation is supported");
        }
        if (!service.isEmpty()) {
            throw new SigmaException("logsource windows/process_creation/" + service,
                    "a service narrows process_creation to a log procwatch does not tell apart");
        }
        JsonNode det = doc.path("detection");
        if (!det.isObject()) {
            throw new SigmaException("no detection", "the rule has no detection section");
        }
        if (det.has("timeframe")) {
            throw new SigmaException("timeframe (Sigma 1 aggregation)", "use a correlation rule");
        }
        Ctx ctx = new Ctx(id, Target.CANDIDATE);
        Expr root = detection(det, ctx, Set.of("condition"));
        List<List<String[]>> guard = guardClauses(root);
        if (guard.isEmpty()) {
            // No guard: Drools evaluates the rule on every process event, so it is written on the event itself
            // instead of on a SigmaCandidate the prefilter would insert (and delete) for every event.
            ctx = new Ctx(id, Target.EVENT);
            root = detection(det, ctx, Set.of("condition"));
        }
        String drl = new DrlWriter(doc, source, id, title, root, guard, ctx.sysmonOnly, ctx.notes).write();
        return new Converted(id, title, fileStem + ".drl", drl, ctx.sysmonOnly, source, !guard.isEmpty());
    }

    private static String text(JsonNode doc, String key) {
        JsonNode n = doc.get(key);
        return n == null || n.isNull() ? null : n.asText();
    }

    /** Per-rule state collected while converting. */
    static final class Ctx {
        /** The id of the rule being converted: a rule whose regex exceeds its budget is disabled by it. */
        final String ruleId;
        final Set<String> sysmonOnly = new TreeSet<>();
        final List<String> notes = new ArrayList<>();

        /** The fact the constraints are written on. */
        final Target target;

        Ctx(String ruleId, Target target) {
            this.ruleId = ruleId;
            this.target = target;
        }

        /** The event in a constraint: a candidate's or a match's {@code event} property, or the event itself. */
        String event() {
            return target == Target.EVENT ? "this" : "event";
        }
    }

    /** What a converted condition's constraints are written on. */
    enum Target {
        /** A detection the prefilter guards: its rule's {@link SigmaCandidate}. */
        CANDIDATE,
        /** A detection without a guard: the {@code ProcessEvent} itself (Drools evaluates it on every event). */
        EVENT,
        /** A Sigma filter: the {@code Match} it may suppress. */
        MATCH
    }

    // ------------------------------------------------------------------ expression tree

    /** The converted detection logic. */
    sealed interface Expr permits Leaf, All, Any, Neg, Const {
    }

    /** One DRL boolean expression; guard: (field, lower-case needle) pairs one of which must occur, or null. */
    record Leaf(String code, List<String[]> guard) implements Expr {
    }

    record All(List<Expr> children, String label) implements Expr {
    }

    record Any(List<Expr> children, String label) implements Expr {
    }

    record Neg(Expr child) implements Expr {
    }

    record Const(boolean value) implements Expr {
    }

    private Expr resolve(SigmaCondition.Node n, Map<String, Expr> searches) {
        if (n instanceof SigmaCondition.And a) {
            return new All(a.children().stream().map(c -> resolve(c, searches)).toList(), null);
        }
        if (n instanceof SigmaCondition.Or o) {
            return new Any(o.children().stream().map(c -> resolve(c, searches)).toList(), null);
        }
        if (n instanceof SigmaCondition.Not no) {
            return new Neg(resolve(no.child(), searches));
        }
        if (n instanceof SigmaCondition.Ref r) {
            Expr e = searches.get(r.name());
            if (e == null) {
                throw new SigmaException("condition", "condition names '" + r.name() + "', which the detection does not define");
            }
            return e;
        }
        SigmaCondition.Of of = (SigmaCondition.Of) n;
        List<Expr> picked = new ArrayList<>();
        boolean them = of.pattern().equals("them");
        for (Map.Entry<String, Expr> e : searches.entrySet()) {
            if (them ? !e.getKey().startsWith("_") : SigmaMatch.glob(e.getKey(), of.pattern())) {
                picked.add(e.getValue());
            }
        }
        if (picked.isEmpty()) {
            throw new SigmaException("condition", "'" + of.pattern() + "' matches no search identifier");
        }
        if (picked.size() == 1) {
            return picked.get(0);
        }
        String label = (of.all() ? "all of " : "1 of ") + of.pattern();
        return of.all() ? new All(picked, label) : new Any(picked, label);
    }

    /**
     * The clauses of a necessary condition for the expression (conjunctive form): each clause is a set of
     * (field, lower-case needle) pairs one of which must occur, and every clause must hit for the expression to hold.
     * Empty when none can be proven. A conjunction keeps up to {@link #MAX_CLAUSES} of its children's clauses, the
     * least likely to hit first; a disjunction is one clause, the union of each branch's best clause (none when a
     * branch has none); a negation gives none.
     */
    static List<List<String[]>> guardClauses(Expr e) {
        if (e instanceof Leaf l) {
            return l.guard() == null ? List.of() : List.of(l.guard());
        }
        if (e instanceof Any a) {
            List<String[]> u = new ArrayList<>();
            for (Expr c : a.children()) {
                List<List<String[]>> g = guardClauses(c);
                if (g.isEmpty()) {
                    return List.of();
                }
                u.addAll(g.get(0));
            }
            return List.of(dedupe(u));
        }
        if (e instanceof All a) {
            Map<String, List<String[]>> all = new LinkedHashMap<>();
            for (Expr c : a.children()) {
                for (List<String[]> clause : guardClauses(c)) {
                    all.putIfAbsent(clauseKey(clause), clause);
                }
            }
            List<List<String[]>> best = new ArrayList<>(all.values());
            best.sort((x, y) -> better(x, y) ? -1 : better(y, x) ? 1 : 0);
            List<List<String[]>> kept = new ArrayList<>();
            for (List<String[]> clause : best) {
                // A clause that most events pass narrows little but costs its needles' hits on every event.
                if (kept.size() < MAX_CLAUSES && (kept.isEmpty() || guardCost(clause) < WEAK_CLAUSE)) {
                    kept.add(clause);
                }
            }
            return kept;
        }
        return List.of();
    }

    /** The clauses a guard keeps at most: each more costs needles in the automata and narrows less. */
    static final int MAX_CLAUSES = 3;
    /** A second or later clause whose estimated hit rate is this or more is left out. */
    private static final double WEAK_CLAUSE = 0.3;

    /** The guard's most selective clause (one of whose needles must occur), or null when none can be proven. */
    static List<String[]> guard(Expr e) {
        List<List<String[]>> clauses = guardClauses(e);
        return clauses.isEmpty() ? null : clauses.get(0);
    }

    private static String clauseKey(List<String[]> clause) {
        StringBuilder sb = new StringBuilder();
        clause.stream().map(p -> p[0] + "\u0000" + p[1]).sorted().forEach(k -> sb.append(k).append('\u0001'));
        return sb.toString();
    }

    private static List<String[]> dedupe(List<String[]> l) {
        Map<String, String[]> m = new LinkedHashMap<>();
        for (String[] p : l) {
            m.putIfAbsent(p[0] + "\u0000" + p[1], p);
        }
        return new ArrayList<>(m.values());
    }

    /**
     * Prefers the guard expected to hit less often: the sum of its needles' estimated hit rates
     * ({@link #hitRate}), then fewer needles.
     */
    private static boolean better(List<String[]> a, List<String[]> b) {
        double ca = guardCost(a), cb = guardCost(b);
        if (ca != cb) {
            return ca < cb;
        }
        return a.size() < b.size();
    }

    static double guardCost(List<String[]> g) {
        double c = 0;
        for (String[] p : g) {
            c += hitRate(p[0], p[1]);
        }
        return c;
    }

    /**
     * Text that occurs in most Windows process events (lower case): a needle inside one of these is a poor
     * guard however long it is ({@code system}, {@code \windows\}, {@code microsoft corporation}).
     */
    private static final List<String> COMMON = List.of(
            "c:\\windows\\system32\\windowspowershell\\v1.0\\powershell.exe",
            "c:\\windows\\syswow64\\", "c:\\program files (x86)\\", "c:\\programdata\\",
            "c:\\users\\", "\\appdata\\local\\temp\\", "\\appdata\\roaming\\",
            "\\svchost.exe -k ", "\\conhost.exe 0xffffffff -forcev1", "\\cmd.exe /c ", "\\explorer.exe",
            "\\rundll32.exe", "\\dllhost.exe", "\\msiexec.exe", "\\taskhostw.exe", "\\wmiprvse.exe",
            "microsoft corporation", "microsoft\u00ae windows\u00ae operating system", "windows command processor",
            "nt authority\\system", "nt authority\\local service", "nt authority\\network service",
            "s-1-5-18", "system", "high", "medium", "low", ".dll", ".exe\" ",
            "c:\\windows\\system32\\svchost.exe -k ", "c:\\windows\\system32\\services.exe",
            "c:\\windows\\system32\\conhost.exe", "c:\\windows\\system32\\cmd.exe /c ",
            "c:\\windows\\explorer.exe", "c:\\windows\\system32\\wbem\\wmiprvse.exe",
            "c:\\windows\\system32\\rundll32.exe", "s-1-16-16384", "s-1-16-12288", "0x3e7", "-embedding");

    /**
     * Estimated share of events in which {@code needle} occurs in {@code field}: length-based; text from the
     * stop-list, blank needles, common punctuation and two-character options ({@code -f}, {@code /c}) high.
     */
    static double hitRate(String field, String needle) {
        // A guard on a field outside CORE_FIELDS costs one more (cold) value lookup per event.
        return rate(needle) + (field == null || CORE_FIELDS.contains(field) ? 0 : 0.05);
    }

    /** The fields most rules guard on: the prefilter reads them on every event anyway. */
    private static final java.util.Set<String> CORE_FIELDS = java.util.Set.of(
            "CommandLine", "Image", "ParentImage", "OriginalFileName", "ParentCommandLine", "Hashes");

    private static double rate(String needle) {
        for (String c : COMMON) {
            if (c.contains(needle)) {
                return 0.5;
            }
        }
        if (needle.isBlank() || (needle.length() == 1 && " -/\\.:\"=,".indexOf(needle.charAt(0)) >= 0)
                || (needle.length() == 2 && (needle.charAt(0) == '-' || needle.charAt(0) == '/'))) {
            return 0.5; // runs of spaces, "-", "-f", "/c": option syntax is in most command lines
        }
        int n = Math.min(needle.length(), 10);
        return Math.pow(0.35, n);
    }

    // ------------------------------------------------------------------ searches

    private Expr search(String name, JsonNode v, Ctx ctx) {
        if (v.isObject()) {
            return fieldMap(name, v, ctx);
        }
        if (v.isArray()) {
            boolean maps = true, scalars = true;
            for (JsonNode x : v) {
                maps &= x.isObject();
                scalars &= x.isValueNode();
            }
            List<Expr> alts = new ArrayList<>();
            if (maps) {
                for (JsonNode x : v) {
                    alts.add(fieldMap(null, x, ctx));
                }
                return alts.size() == 1 ? label(alts.get(0), name) : new Any(alts, name + " (any)");
            }
            if (scalars) {
                for (JsonNode x : v) {
                    alts.add(keyword(x, ctx));
                }
                return new Any(alts, name + " (keywords)");
            }
            throw new SigmaException("search mixing maps and keywords", "search '" + name + "' mixes maps and keywords");
        }
        if (v.isValueNode()) {
            return new Any(List.of(keyword(v, ctx)), name + " (keyword)");
        }
        throw new SigmaException("search", "search '" + name + "' is neither a map nor a list");
    }

    private static Expr label(Expr e, String name) {
        if (e instanceof All a) {
            return new All(a.children(), name);
        }
        return new All(List.of(e), name);
    }

    private Expr keyword(JsonNode x, Ctx ctx) {
        if (x.isNull()) {
            throw new SigmaException("keyword null", "a null keyword");
        }
        String p = lower(parsePattern(x.asText()));
        if (p.indexOf(STAR) < 0 && p.indexOf(ONE) < 0) {
            return new Leaf("keyword( " + ctx.event() + ", " + str(p) + " )", null);
        }
        return new Leaf("keywordGlob( " + ctx.event() + ", " + str(globText(p)) + " )", null);
    }

    private Expr fieldMap(String name, JsonNode map, Ctx ctx) {
        List<Expr> items = new ArrayList<>();
        Iterator<Map.Entry<String, JsonNode>> it = map.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            items.add(fieldItem(e.getKey(), e.getValue(), ctx));
        }
        if (items.isEmpty()) {
            throw new SigmaException("empty search", "search '" + name + "' is empty");
        }
        return new All(items, name);
    }

    /** The event field for a Sigma field, recording Sysmon-only use. */
    String eventField(String sigma, Ctx ctx) {
        String[] m = fields.get(sigma);
        if (m == null) {
            ctx.notes.add("field " + sigma + " is not in the process_creation field map; used as is");
            return sigma;
        }
        if (m[1].equals("sysmon")) {
            ctx.sysmonOnly.add(sigma);
        } else if (m[1].equals("security")) {
            ctx.notes.add("field " + sigma + " exists in Security 4688 only");
        }
        return m[0];
    }

    private Expr fieldItem(String key, JsonNode value, Ctx ctx) {
        String[] parts = key.split("\\|", -1);
        String sigmaField = parts[0];
        List<String> mods = new ArrayList<>();
        for (int i = 1; i < parts.length; i++) {
            if (!MODIFIERS.contains(parts[i])) {
                throw new SigmaException("modifier " + parts[i], "unknown modifier '" + parts[i] + "' in " + key);
            }
            mods.add(parts[i]);
        }
        refuseConflicts(key, mods);
        if (sigmaField.isEmpty()) {
            return keywords(key, value, mods, ctx);
        }
        String field = eventField(sigmaField, ctx);
        String hashPrefix = HASH_FIELDS.get(sigmaField);
        List<JsonNode> values = new ArrayList<>();
        if (value.isArray()) {
            value.forEach(values::add);
        } else {
            values.add(value);
        }
        if (values.isEmpty()) {
            throw new SigmaException("empty value list", "empty value list for " + key);
        }
        String label = key;
        boolean all = mods.contains("all");
        boolean neq = mods.contains("neq");
        List<Expr> leaves = new ArrayList<>();

        if (mods.contains("exists")) {
            boolean want = values.get(0).asBoolean(true) && !values.get(0).asText().equalsIgnoreCase("false");
            Expr l = new Leaf("has( " + str(field) + " )", null);
            return want ? l : new Neg(l);
        }
        if (mods.contains("fieldref")) {
            for (JsonNode v : values) {
                String other = eventField(v.asText(), ctx);
                boolean cased = mods.contains("cased");
                String acc = cased ? "get" : "lc";
                String fn = mods.contains("contains") ? "includes" : mods.contains("startswith") ? "startsWith"
                        : mods.contains("endswith") ? "endsWith" : "eq";
                leaves.add(new Leaf(fn + "( " + acc + "( " + str(field) + " ), " + acc + "( " + str(other) + " ) )", null));
            }
            return combine(leaves, all, neq, label);
        }
        for (String cmp : List.of("gt", "gte", "lt", "lte")) {
            if (mods.contains(cmp)) {
                for (JsonNode v : values) {
                    double d;
                    try {
                        d = Double.parseDouble(v.asText());
                    } catch (NumberFormatException e) {
                        throw new SigmaException("modifier " + cmp, "not a number: " + v.asText());
                    }
                    leaves.add(new Leaf("number( get( " + str(field) + " ), \"" + cmp + "\", " + d + " )", null));
                }
                return combine(leaves, all, neq, label);
            }
        }
        if (mods.contains("re")) {
            StringBuilder flags = new StringBuilder();
            for (String f : List.of("i", "m", "s")) {
                if (mods.contains(f)) {
                    flags.append(f);
                }
            }
            for (JsonNode v : values) {
                String rx = v.asText();
                try {
                    Pattern.compile(rx);
                } catch (PatternSyntaxException e) {
                    throw new SigmaException("re: not a Java regex", e.getDescription() + ": " + rx);
                }
                // A detection's candidate runs it on its rule set's bounded engine; a rule on the event itself and a
                // filter reach that through the sigma global.
                String call = ctx.target != Target.CANDIDATE ? "sigma.re( " + str(ctx.ruleId) + ", get( " + str(field) + " ), "
                        : "re( " + str(field) + ", ";
                leaves.add(new Leaf(call + str(rx) + ", \"" + flags + "\" )",
                        SigmaRegexLiterals.guard(field, rx, flags.toString())));
            }
            return combine(leaves, all, neq, label);
        }
        if (mods.contains("cidr")) {
            for (JsonNode v : values) {
                try {
                    SigmaMatch.Cidr.parse(v.asText());
                } catch (RuntimeException e) {
                    throw new SigmaException("cidr", "not a CIDR range: " + e.getMessage());
                }
                leaves.add(new Leaf("cidr( get( " + str(field) + " ), " + str(v.asText()) + " )", null));
            }
            return combine(leaves, all, neq, label);
        }

        // String values through the transforming modifiers, in the order written.
        for (JsonNode v : values) {
            if (v.isNull()) {
                leaves.add(new Leaf("isEmpty( get( " + str(field) + " ) )", null));
                continue;
            }
            List<String> pats = new ArrayList<>();
            pats.add(parsePattern(v.isTextual() ? v.asText() : v.asText()));
            boolean cased = mods.contains("cased");
            String encoding = null;
            boolean encoded = false;
            for (String m : mods) {
                switch (m) {
                    case "contains" -> pats.replaceAll(p -> wrap(p, true, true));
                    case "startswith" -> pats.replaceAll(p -> wrap(p, false, true));
                    case "endswith" -> pats.replaceAll(p -> wrap(p, true, false));
                    case "windash" -> pats = windash(pats);
                    case "expand" -> pats = expand(pats);
                    case "wide", "utf16le", "utf16be", "utf16" -> encoding = m;
                    case "base64", "base64offset" -> {
                        pats = base64(pats, encoding, m.equals("base64offset"));
                        encoded = true;
                        cased = true;
                    }
                    default -> {
                    }
                }
            }
            if (encoding != null && !encoded) {
                throw new SigmaException("modifier " + encoding + " without base64",
                        encoding + " only makes sense before base64/base64offset");
            }
            if (hashPrefix != null) {
                final String hp = hashPrefix;
                pats.replaceAll(p -> wrap(hp + unwrap(p), true, true));
            }
            List<Expr> variants = new ArrayList<>();
            for (String p : pats) {
                variants.add(stringLeaf(field, p, cased));
            }
            leaves.add(variants.size() == 1 ? variants.get(0) : new Any(variants, null));
        }
        return combine(leaves, all, neq, label);
    }

    /** Modifiers that each decide how a value is compared: at most one of them in a chain. */
    private static final List<String> MATCHERS = List.of("re", "cidr", "exists", "fieldref", "gt", "gte", "lt", "lte");
    /** Modifiers that rewrite a string value before it is compared. */
    private static final List<String> TRANSFORMS = List.of("windash", "base64", "base64offset", "wide", "utf16le",
            "utf16be", "utf16", "expand");
    private static final List<String> POSITIONS = List.of("contains", "startswith", "endswith");

    /**
     * Refuses a modifier chain whose parts contradict each other, with the reason, instead of silently keeping
     * one of them: two position modifiers ({@code contains|startswith}), two comparisons ({@code re|cidr}), a
     * comparison with a value transform ({@code windash|cidr}, {@code base64|re}, {@code base64|exists}) or a
     * position ({@code re|contains}), and regex flags without {@code re}.
     */
    static void refuseConflicts(String key, List<String> mods) {
        List<String> pos = mods.stream().filter(POSITIONS::contains).distinct().toList();
        if (pos.size() > 1) {
            throw new SigmaException("conflicting modifiers " + String.join("|", pos),
                    "a value cannot be matched at two positions (" + String.join(", ", pos) + ") in " + key);
        }
        List<String> cmp = mods.stream().filter(MATCHERS::contains).distinct().toList();
        if (cmp.size() > 1) {
            throw new SigmaException("conflicting modifiers " + String.join("|", cmp),
                    "each of " + String.join(", ", cmp) + " decides the comparison alone in " + key);
        }
        if (cmp.size() == 1) {
            String c = cmp.get(0);
            List<String> with = mods.stream().filter(m -> TRANSFORMS.contains(m)
                    || (POSITIONS.contains(m) && !c.equals("fieldref"))).distinct().toList();
            if (!with.isEmpty()) {
                throw new SigmaException("conflicting modifiers " + String.join("|", with) + "|" + c,
                        c + " compares the value as written; " + String.join(", ", with) + " cannot apply in " + key);
            }
        }
        if (!mods.contains("re") && mods.stream().anyMatch(m -> m.equals("i") || m.equals("m") || m.equals("s"))) {
            throw new SigmaException("regex flag without re", "i, m and s are flags of re in " + key);
        }
    }

    /**
     * A keyword list with modifiers ({@code '|all': [...]}, {@code '|windash|contains': ...}): each value is
     * searched in every field as a keyword; {@code all} needs every one. Modifiers that compare a field
     * ({@code re}, {@code cidr}, {@code exists}, {@code fieldref}, numbers) have no field here and are refused.
     */
    private Expr keywords(String key, JsonNode value, List<String> mods, Ctx ctx) {
        for (String m : mods) {
            if (MATCHERS.contains(m) || m.equals("neq") || m.equals("startswith") || m.equals("endswith")) {
                throw new SigmaException("keyword with modifier " + m, m + " needs a field: " + key);
            }
        }
        List<Expr> leaves = new ArrayList<>();
        List<JsonNode> values = new ArrayList<>();
        if (value.isArray()) {
            value.forEach(values::add);
        } else {
            values.add(value);
        }
        if (values.isEmpty()) {
            throw new SigmaException("empty value list", "empty value list for " + key);
        }
        for (JsonNode v : values) {
            List<String> pats = new ArrayList<>(List.of(parsePattern(v.asText())));
            String encoding = null;
            for (String m : mods) {
                switch (m) {
                    case "windash" -> pats = windash(pats);
                    case "expand" -> pats = expand(pats);
                    case "wide", "utf16le", "utf16be", "utf16" -> encoding = m;
                    case "base64", "base64offset" -> pats = base64(pats, encoding, m.equals("base64offset"));
                    default -> {
                    }
                }
            }
            List<Expr> variants = new ArrayList<>();
            for (String p : pats) {
                variants.add(keyword(YAML.getNodeFactory().textNode(globText(p)), ctx));
            }
            leaves.add(variants.size() == 1 ? variants.get(0) : new Any(variants, null));
        }
        return combine(leaves, mods.contains("all"), false, key);
    }

    private static Expr combine(List<Expr> leaves, boolean all, boolean neq, String label) {
        Expr e = leaves.size() == 1 ? leaves.get(0) : all ? new All(leaves, label) : new Any(leaves, label);
        if (leaves.size() == 1 && !(e instanceof Leaf)) {
            e = new Any(leaves, label);
        }
        return neq ? new Neg(e) : e;
    }

    /** A whole-value pattern on one field: eq / contains / startsWith / endsWith / glob. */
    static Leaf stringLeaf(String field, String pat, boolean cased) {
        String p = cased ? pat : lower(pat);
        String a = cased ? "get" : "lc";
        String acc = a + "( " + str(field) + " )";
        String longest = longestLiteral(p);
        List<String[]> guard = longest.isEmpty() ? null
                : List.<String[]>of(new String[]{field, longest.toLowerCase(Locale.ROOT)});
        String inner = p.length() >= 2 ? p.substring(1, p.length() - 1) : "";
        if (!hasWildcard(p)) {
            return new Leaf(acc + " == " + str(p), guard);
        }
        if (p.length() >= 2 && p.charAt(0) == STAR && p.charAt(p.length() - 1) == STAR && !inner.isEmpty() && !hasWildcard(inner)) {
            return new Leaf(acc + " contains " + str(inner), guard);
        }
        if (p.charAt(0) == STAR && p.length() > 1 && !hasWildcard(p.substring(1))) {
            return new Leaf("endsWith( " + acc + ", " + str(p.substring(1)) + " )", guard);
        }
        if (p.charAt(p.length() - 1) == STAR && p.length() > 1 && !hasWildcard(p.substring(0, p.length() - 1))) {
            return new Leaf("startsWith( " + acc + ", " + str(p.substring(0, p.length() - 1)) + " )", guard);
        }
        return new Leaf("glob( " + acc + ", " + str(globText(p)) + " )", guard);
    }

    // ------------------------------------------------------------------ values

    /** Sigma escaping: {@code \*} {@code \?} {@code \\} are literals; other backslashes are literal too. */
    static String parsePattern(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length() && (s.charAt(i + 1) == '*' || s.charAt(i + 1) == '?' || s.charAt(i + 1) == '\\')) {
                sb.append(s.charAt(++i));
            } else if (c == '*') {
                sb.append(STAR);
            } else if (c == '?') {
                sb.append(ONE);
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    static boolean hasWildcard(String p) {
        return p.indexOf(STAR) >= 0 || p.indexOf(ONE) >= 0;
    }

    static String lower(String p) {
        return p.toLowerCase(Locale.ROOT);
    }

    private static String wrap(String p, boolean before, boolean after) {
        String r = p;
        if (before && (r.isEmpty() || r.charAt(0) != STAR)) {
            r = STAR + r;
        }
        if (after && (r.isEmpty() || r.charAt(r.length() - 1) != STAR)) {
            r = r + STAR;
        }
        return r;
    }

    private static String unwrap(String p) {
        String r = p;
        while (r.length() > 0 && r.charAt(0) == STAR) {
            r = r.substring(1);
        }
        while (r.length() > 0 && r.charAt(r.length() - 1) == STAR) {
            r = r.substring(0, r.length() - 1);
        }
        return r;
    }

    static String longestLiteral(String p) {
        String best = "";
        for (String seg : p.split("[" + STAR + ONE + "]")) {
            if (seg.length() > best.length()) {
                best = seg;
            }
        }
        return best;
    }

    /** The glob syntax of {@link SigmaMatch#glob}: wildcards plain, every literal backslash/star/question escaped. */
    static String globText(String p) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < p.length(); i++) {
            char c = p.charAt(i);
            if (c == STAR) {
                sb.append('*');
            } else if (c == ONE) {
                sb.append('?');
            } else {
                if (c == '\\' || c == '*' || c == '?') {
                    sb.append('\\');
                }
                sb.append(c);
            }
        }
        return sb.toString();
    }

    /** The dashes {@code windash} stands for: hyphen, slash, en dash, em dash, horizontal bar. */
    static final char[] DASHES = {'-', '/', '\u2013', '\u2014', '\u2015'};

    /** {@code windash}: every {@code -} or {@code /} that starts a word after a non-word character, in all five forms. */
    static List<String> windash(List<String> pats) {
        List<String> out = new ArrayList<>();
        for (String p : pats) {
            List<Integer> at = new ArrayList<>();
            for (int i = 0; i < p.length(); i++) {
                char c = p.charAt(i);
                if ((c == '-' || c == '/') && (i == 0 || !isWord(p.charAt(i - 1)))
                        && i + 1 < p.length() && isWord(p.charAt(i + 1))) {
                    at.add(i);
                }
            }
            if (at.size() > 4) {
                throw new SigmaException("windash with more than 4 dashes", "too many variants: " + p);
            }
            int combos = (int) Math.pow(DASHES.length, at.size());
            for (int k = 0; k < combos; k++) {
                char[] cs = p.toCharArray();
                int r = k;
                for (int pos : at) {
                    cs[pos] = DASHES[r % DASHES.length];
                    r /= DASHES.length;
                }
                out.add(new String(cs));
            }
        }
        return new ArrayList<>(new LinkedHashSet<>(out));
    }

    private static boolean isWord(char c) {
        return Character.isLetterOrDigit(c) || c == '_';
    }

    private List<String> expand(List<String> pats) {
        List<String> out = new ArrayList<>();
        for (String p : pats) {
            java.util.regex.Matcher m = Pattern.compile("%([^%]+)%").matcher(p);
            if (!m.find()) {
                out.add(p);
                continue;
            }
            List<String> vals = placeholders.get(m.group(1));
            if (vals == null) {
                throw new SigmaException("expand: placeholder not configured",
                        "placeholder %" + m.group(1) + "% has no values in placeholders.yml");
            }
            for (String v : vals) {
                out.addAll(expand(List.of(p.substring(0, m.start()) + parsePattern(v) + p.substring(m.end()))));
            }
        }
        return out;
    }

    static List<String> base64(List<String> pats, String encoding, boolean offsets) {
        List<String> out = new ArrayList<>();
        for (String p : pats) {
            if (hasWildcard(p)) {
                throw new SigmaException("base64 of a wildcard value", "cannot encode wildcards: " + p);
            }
            byte[] bytes = encode(p, encoding);
            if (!offsets) {
                out.add(Base64.getEncoder().encodeToString(bytes));
                continue;
            }
            int[] start = {0, 2, 3};
            int[] end = {0, 3, 2};
            for (int i = 0; i < 3; i++) {
                byte[] shifted = new byte[bytes.length + i];
                for (int k = 0; k < i; k++) {
                    shifted[k] = ' ';
                }
                System.arraycopy(bytes, 0, shifted, i, bytes.length);
                String b = Base64.getEncoder().encodeToString(shifted);
                int cut = end[(bytes.length + i) % 3];
                String s = b.substring(start[i], b.length() - cut);
                out.add(s);
            }
        }
        return new ArrayList<>(new LinkedHashSet<>(out));
    }

    private static byte[] encode(String s, String encoding) {
        if (encoding == null) {
            return s.getBytes(StandardCharsets.UTF_8);
        }
        return switch (encoding) {
            case "wide", "utf16le" -> s.getBytes(StandardCharsets.UTF_16LE);
            case "utf16be" -> s.getBytes(StandardCharsets.UTF_16BE);
            default -> {
                byte[] le = s.getBytes(StandardCharsets.UTF_16LE);
                byte[] b = new byte[le.length + 2];
                b[0] = (byte) 0xff;
                b[1] = (byte) 0xfe;
                System.arraycopy(le, 0, b, 2, le.length);
                yield b;
            }
        };
    }

    /** A DRL string literal. */
    static String str(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\' -> sb.append("\\\\");
                case '"' -> sb.append("\\\"");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> sb.append(c);
            }
        }
        return sb.append('"').toString();
    }
}
