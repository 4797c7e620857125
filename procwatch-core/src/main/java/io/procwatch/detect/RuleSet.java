package io.procwatch.detect;

import io.procwatch.detect.model.CompiledRuleCache;
import io.procwatch.detect.model.ExecutableModelCompiler;
import io.procwatch.detect.model.ExecutableModelLoader;
import io.procwatch.lookup.Lookups;
import org.kie.api.KieBase;
import org.kie.api.KieServices;
import org.kie.api.builder.KieBuilder;
import org.kie.api.builder.KieFileSystem;
import org.kie.api.builder.Message;
import org.kie.api.builder.ReleaseId;
import org.kie.api.builder.model.KieModuleModel;
import org.kie.api.conf.EventProcessingOption;
import org.kie.api.runtime.KieContainer;
import org.kie.api.runtime.KieSession;
import org.kie.api.runtime.KieSessionConfiguration;
import org.kie.api.runtime.conf.ClockTypeOption;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A compiled rule set: the KieBase and the catalog of its detections. Immutable and thread-safe; sessions
 * are made from it with {@link #newSession(boolean)}, each independent of the others.
 *
 * <pre>{@code
 * RuleSet bundled = RuleSet.bundled();                         // rules-drl/ as packaged in the jar
 * RuleSet edited  = RuleSet.fromDirectory(Path.of("rules-drl")); // compiled now, no rebuild needed
 * }</pre>
 */
public final class RuleSet {

    /** The KieBase name in {@code kmodule/META-INF/kmodule.xml}. */
    public static final String KBASE = "procwatch";
    /** Where DRL files sit on the classpath and in the KieFileSystem. */
    static final String RULES_PATH = "io/procwatch/rules/";

    private final KieBase kieBase;
    private final RuleCatalog catalog;
    private final String origin;
    /** Asset and identity lookups read with the rules ({@code lookups/*.csv} beside the DRL files). */
    private final Lookups lookups;
    /** The globals of {@link RuleSetGlobal} providers that these rules declare, made on first use. */
    private final Map<String, RuleSetGlobal> providers = new LinkedHashMap<>();
    private final Map<String, Object> globals = new java.util.concurrent.ConcurrentHashMap<>();
    /** The globals the rule files declare. */
    private final java.util.Set<String> declaredGlobals;
    /** The DRL this set was compiled from, to build a trimmed copy ({@link #select}); null for the bundled rules. */
    private final Map<Path, String> drlFiles;
    /** For rules built from the compiled-rule cache without their DRL: a fresh KieBase of the same rules. */
    private final CachedBase cached;
    /** {@link #leadingLowerCaseFields()}, read from the KieBase on first use. */
    private volatile List<String> leadingLowerCase;
    /** {@link #processEventExpiry()}, read from the KieBase on first use; null before. */
    private volatile Long processEventExpiry;

    /** Where a rule set built from the cache gets a fresh KieBase ({@link #select}). */
    private record CachedBase(CompiledRuleCache cache, String key) {
    }

    private RuleSet(KieBase kieBase, RuleCatalog catalog, String origin) {
        this(kieBase, catalog, origin, Lookups.empty(), null, null);
    }

    private RuleSet(KieBase kieBase, RuleCatalog catalog, String origin, Lookups lookups, Map<Path, String> drlFiles) {
        this(kieBase, catalog, origin, lookups, drlFiles, null);
    }

    private RuleSet(KieBase kieBase, RuleCatalog catalog, String origin, Lookups lookups, Map<Path, String> drlFiles,
                    CachedBase cached) {
        this.kieBase = kieBase;
        this.catalog = catalog;
        this.origin = origin;
        this.lookups = lookups;
        this.drlFiles = drlFiles;
        this.cached = cached;
        java.util.Set<String> declared = new java.util.HashSet<>();
        kieBase.getKiePackages().forEach(p -> p.getGlobalVariables().forEach(g -> declared.add(g.getName())));
        this.declaredGlobals = java.util.Set.copyOf(declared);
        for (RuleSetGlobal g : java.util.ServiceLoader.load(RuleSetGlobal.class, RuleSet.class.getClassLoader())) {
            if (declared.contains(g.name())) {
                providers.put(g.name(), g);
            }
        }
    }

    /**
     * The same rules without the detections {@code selection} leaves out: a new KieBase (compiled again, or a new
     * classpath container for the bundled rules) from which those rules are removed, so they are never evaluated.
     * This rule set is not changed. Filter, aggregation and prefilter rules stay.
     *
     * @return this when the selection keeps every detection
     */
    public RuleSet select(RuleSelection selection) throws RuleCompileException {
        List<DetectionRule> dropped = catalog.detections().stream().filter(d -> !selection.selects(d)).toList();
        if (dropped.isEmpty()) {
            return this;
        }
        KieBase base;
        CompiledRuleCache.Entry again = cached != null && drlFiles == null ? cached.cache().load(cached.key()) : null;
        if (again != null) {
            base = again.kieBase();
        } else if (drlFiles == null) {
            KieContainer fresh = KieServices.Factory.get().newKieClasspathContainer(RuleSet.class.getClassLoader());
            base = fresh.getKieBase(KBASE);
        } else {
            base = compile(drlFiles, origin).kieBase;
        }
        for (DetectionRule d : dropped) {
            base.removeRule(d.packageName(), d.ruleName());
        }
        return new RuleSet(base, catalog(base, drlFiles == null ? Map.of() : drlFiles),
                origin + " (" + (catalog.detections().size() - dropped.size()) + " of "
                        + catalog.detections().size() + " detections selected)", lookups, drlFiles, cached);
    }

    /**
     * The bundled rules: the executable model the build generated from {@code rules-drl/} (loaded directly, no DRL
     * compile), or, in a build without it, the DRL through the classpath kmodule
     * ({@code KieServices.getKieClasspathContainer()}).
     *
     * @throws RuleCompileException when the packaged rules do not compile (a broken build)
     */
    public static RuleSet bundled() throws RuleCompileException {
        KieBase model;
        try {
            model = ExecutableModelLoader.load(RuleSet.class.getClassLoader(), RULES_PATH + ExecutableModelLoader.MODEL_LIST);
        } catch (IOException e) {
            throw new RuleCompileException(List.of(new RuleProblem("classpath:" + RULES_PATH, 0, e.getMessage())));
        }
        if (model != null) {
            return new RuleSet(model, catalog(model, Map.of()), "bundled rules (precompiled executable model)");
        }
        return bundledDrl();
    }

    /** The bundled DRL compiled now through the classpath kmodule (what a build without the generated model uses). */
    public static RuleSet bundledDrl() throws RuleCompileException {
        KieContainer container = KieServices.Factory.get().getKieClasspathContainer(RuleSet.class.getClassLoader());
        List<RuleProblem> problems = new ArrayList<>();
        for (Message m : container.verify().getMessages(Message.Level.ERROR)) {
            problems.add(new RuleProblem("classpath:" + m.getPath(), m.getLine(), m.getText().strip()));
        }
        if (!problems.isEmpty()) {
            throw new RuleCompileException(problems);
        }
        KieBase base = container.getKieBase(KBASE);
        return new RuleSet(base, catalog(base, Map.of()), "bundled rules (classpath)");
    }

    /**
     * Compiles every {@code .drl} file under {@code dir} (recursively) and reads the asset and identity lookups
     * in {@code dir/lookups/} ({@link Lookups}), so a reload picks up edited lookups too.
     */
    public static RuleSet fromDirectory(Path dir) throws RuleCompileException, IOException {
        Map<Path, String> files = readDrlFiles(dir);
        Lookups lookups = Lookups.fromRulesDirectory(dir);
        return compile(files, dir.toString()).withLookups(lookups);
    }

    /** The same rules with these asset and identity lookups. */
    public RuleSet withLookups(Lookups lookups) {
        return new RuleSet(kieBase, catalog, origin, lookups, drlFiles, cached);
    }

    /** The asset and identity lookups (empty unless the rules directory has {@code lookups/}). */
    public Lookups lookups() {
        return lookups;
    }

    /**
     * Every {@code .drl} file under {@code dir}, through the on-disk cache of compiled rules: a hit builds the KieBase
     * from the cached executable model; a miss compiles the executable model, stores it and uses it. Rules that
     * compile as DRL but not into the executable model are compiled as DRL (and remembered, so later runs do not
     * try again); rules that do not compile fail with the DRL compiler's {@code file:line} errors, as without cache.
     *
     * @param cache where compiled rules are kept; {@code null} compiles as {@link #fromDirectory(Path)}
     */
    public static RuleSet fromDirectory(Path dir, CompiledRuleCache cache) throws RuleCompileException, IOException {
        Map<Path, String> files = readDrlFiles(dir);
        if (cache == null) {
            return compile(files, dir.toString());
        }
        Map<String, byte[]> inputs = new LinkedHashMap<>();
        files.forEach((p, text) -> inputs.put(dir.relativize(p).toString(), text.getBytes(StandardCharsets.UTF_8)));
        String key = cache.key("drl " + KBASE + " " + RULES_PATH, inputs);
        RuleSet hit = fromCache(cache, key, dir + " (cached executable model)");
        return (hit != null ? hit : compileToCache(files, dir.toString(), cache, key, ""))
                .withLookups(Lookups.fromRulesDirectory(dir));
    }

    /**
     * The rules cached under {@code key} ({@link CompiledRuleCache}), built from their executable model, or null on
     * a miss (absent, or damaged: then removed with a warning, to be built again).
     */
    public static RuleSet fromCache(CompiledRuleCache cache, String key, String origin) throws RuleCompileException {
        CompiledRuleCache.Entry hit = cache.load(key);
        return hit == null ? null : fromCache(cache, key, hit, origin);
    }

    /** The rules of a cache entry {@code hit} that {@link CompiledRuleCache#load} returned for {@code key}. */
    public static RuleSet fromCache(CompiledRuleCache cache, String key, CompiledRuleCache.Entry hit, String origin)
            throws RuleCompileException {
        return new RuleSet(hit.kieBase(), catalog(hit.kieBase(), Map.of()), origin, Lookups.empty(), null,
                new CachedBase(cache, key));
    }

    /**
     * Compiles DRL texts into the executable model, stores it in the cache under {@code key} with {@code messages}
     * (what making the texts printed, shown again on a hit) and returns the rules built from it. Rules that compile
     * as DRL but not into the executable model are compiled as DRL (and remembered, so later runs do not try
     * again); rules that do not compile fail with the DRL compiler's {@code file:line} errors, as without cache.
     */
    public static RuleSet compileToCache(Map<Path, String> files, String origin, CompiledRuleCache cache, String key,
                                         String messages) throws RuleCompileException {
        if (!cache.isRefused(key)) {
            Map<String, String> drl = new LinkedHashMap<>();
            files.forEach((p, text) -> drl.put(p.toString(), text));
            KieServices ks = KieServices.Factory.get();
            try {
                ExecutableModelCompiler.Compiled compiled = ExecutableModelCompiler.compile(drl, kmodule(ks), RULES_PATH,
                        ks.newReleaseId("io.procwatch.cache", "rules-" + key.substring(0, 16), "1.0.0"));
                CompiledRuleCache.Entry stored = cache.store(key, compiled, messages);
                return new RuleSet(stored.kieBase(), catalog(stored.kieBase(), files), origin + " (executable model, cached)",
                        Lookups.empty(), java.util.Collections.unmodifiableMap(new LinkedHashMap<>(files)),
                        new CachedBase(cache, key));
            } catch (ExecutableModelCompiler.CompileFailure e) {
                RuleSet asDrl = compile(files, origin); // the DRL compiler's errors, if the rules are broken
                cache.refuse(key, e.getMessage());
                return asDrl;
            } catch (IOException e) {
                // The cache folder cannot be written: compile as DRL, as without cache.
            }
        }
        return compile(files, origin);
    }

    /**
     * The text of every {@code .drl} file under {@code dir} (recursively), in path order.
     *
     * @throws IOException when the directory is missing or holds no DRL file
     */
    public static Map<Path, String> readDrlFiles(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IOException("rules directory " + dir + " does not exist");
        }
        Map<Path, String> files = new LinkedHashMap<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.filter(f -> f.toString().endsWith(".drl") && Files.isRegularFile(f)).sorted().toList()) {
                files.put(p, Files.readString(p, StandardCharsets.UTF_8));
            }
        }
        if (files.isEmpty()) {
            throw new IOException("no .drl files under " + dir);
        }
        return files;
    }

    /**
     * Compiles DRL texts held in memory, keyed by the path to name in errors (they need not exist on disk).
     * Used for rules generated at run time and by tests.
     */
    public static RuleSet compile(Map<Path, String> drlFiles, String origin) throws RuleCompileException {
        KieServices ks = KieServices.Factory.get();
        KieFileSystem kfs = ks.newKieFileSystem();
        // A fresh release id per compile: several rule sets (and reloads) live side by side in one JVM.
        ReleaseId release = ks.newReleaseId("io.procwatch.runtime", "rules-" + UUID.randomUUID(), "1.0.0");
        kfs.generateAndWritePomXML(release);
        kfs.writeKModuleXML(kmodule(ks).toXML());
        Map<String, Path> byKiePath = new LinkedHashMap<>();
        int n = 0;
        for (Map.Entry<Path, String> f : drlFiles.entrySet()) {
            // Flat names keep every file inside the one package folder the KieBase reads.
            String name = RULES_PATH + String.format("%03d_", n++) + f.getKey().getFileName().toString();
            byKiePath.put(name, f.getKey());
            kfs.write("src/main/resources/" + name, f.getValue());
        }
        KieBuilder builder = ks.newKieBuilder(kfs).buildAll();
        List<RuleProblem> problems = new ArrayList<>();
        java.util.Set<String> withSyntaxError = new java.util.HashSet<>();
        List<Message> errors = builder.getResults().getMessages(Message.Level.ERROR);
        for (Message m : errors) {
            if (m.getLine() > 0) {
                withSyntaxError.add(String.valueOf(m.getPath()));
            }
        }
        for (Message m : errors) {
            // Drools follows a file's syntax error with "Parser returned a null Package" for the same file: one
            // error reported twice, the second without a line. Only the first is the user's to fix.
            if (m.getLine() <= 0 && m.getText().contains("Parser returned a null Package")
                    && withSyntaxError.contains(String.valueOf(m.getPath()))) {
                continue;
            }
            Path p = byKiePath.get(m.getPath());
            problems.add(new RuleProblem(p != null ? p.toString() : String.valueOf(m.getPath()), m.getLine(),
                    m.getText().strip().replaceAll("\\s*\\n\\s*", "; ")));
        }
        if (!problems.isEmpty()) {
            throw new RuleCompileException(problems);
        }
        KieContainer container = ks.newKieContainer(release);
        KieBase base = container.getKieBase(KBASE);
        return new RuleSet(base, catalog(base, drlFiles), origin, Lookups.empty(),
                java.util.Collections.unmodifiableMap(new LinkedHashMap<>(drlFiles)));
    }

    /**
     * The module of a rule set compiled at run time. Every KieBase of procwatch (this one, the executable model's,
     * {@code kmodule.xml}'s) has Drools' beta range index on: a join on a comparison such as
     * {@code Watermark( $now : time )} then {@code NotableGroup( closesAt <= $now )} finds the facts in range through
     * a sorted index instead of testing every fact at each watermark move (every open group per batch, a large part
     * of the session thread's time with thousands of open groups). It changes how matches are found, not which.
     */
    private static KieModuleModel kmodule(KieServices ks) {
        KieModuleModel km = ks.newKieModuleModel();
        km.newKieBaseModel(KBASE)
                .setDefault(true)
                .setEventProcessingMode(EventProcessingOption.STREAM)
                .setBetaRangeIndexOption(org.kie.api.conf.BetaRangeIndexOption.ENABLED)
                .addPackage("io.procwatch.rules");
        return km;
    }

    /** Reads the catalog; metadata problems are placed at the {@code rule "…"} line of their file. */
    private static RuleCatalog catalog(KieBase base, Map<Path, String> files) throws RuleCompileException {
        try {
            return RuleCatalog.of(base);
        } catch (RuleMetadataException e) {
            List<RuleProblem> problems = new ArrayList<>();
            for (String p : e.problems()) {
                problems.add(locate(p, files));
            }
            throw new RuleCompileException(problems);
        }
    }

    private static final Pattern RULE_NAME = Pattern.compile("^rule '([^']+)'");

    static RuleProblem locate(String problem, Map<Path, String> files) {
        Matcher m = RULE_NAME.matcher(problem);
        if (m.find()) {
            String decl = "rule \"" + m.group(1) + "\"";
            for (Map.Entry<Path, String> f : files.entrySet()) {
                int at = f.getValue().indexOf(decl);
                if (at >= 0) {
                    int line = 1 + (int) f.getValue().substring(0, at).chars().filter(c -> c == '\n').count();
                    return new RuleProblem(f.getKey().toString(), line, problem);
                }
            }
        }
        return new RuleProblem("(rules)", 0, problem);
    }

    /**
     * A new, independent session.
     *
     * @param pseudoClock true for replay (the engine drives time from events), false for the wall clock
     */
    public KieSession newSession(boolean pseudoClock) {
        KieSessionConfiguration conf = KieServices.Factory.get().newKieSessionConfiguration();
        conf.setOption(ClockTypeOption.get(pseudoClock ? "pseudo" : "realtime"));
        KieSession session = kieBase.newKieSession(conf, null);
        providers.forEach((name, p) -> p.install(session, global(name)));
        return session;
    }

    /**
     * The rule set's object for a global a {@link RuleSetGlobal} provides (built on first use, then shared by
     * every session of these rules), or null when the rules do not declare that global.
     */
    public Object global(String name) {
        RuleSetGlobal p = providers.get(name);
        return p == null ? null : globals.computeIfAbsent(name, n -> p.create(this));
    }

    /** The provided globals of these rules that are a {@code type} (for instance the session's extensions). */
    public <T> List<T> globalsOf(Class<T> type) {
        List<T> out = new ArrayList<>();
        for (String name : providers.keySet()) {
            Object g = global(name);
            if (type.isInstance(g)) {
                out.add(type.cast(g));
            }
        }
        return List.copyOf(out);
    }

    /** True when a rule file declares the global {@code name}. */
    public boolean declaresGlobal(String name) {
        return declaredGlobals.contains(name);
    }

    /**
     * A new, independent session with the globals the rule files declare set: the per-session ones given here
     * (the engine's {@code detections}, what a detection's consequence calls; {@code notables}, where the
     * aggregation rules hand closed groups; {@code risk}, the risk rules' actions), and the per-rule-set ones of the
     * {@link RuleSetGlobal} providers. The one place that sets globals; a given global the rules do not declare is
     * left out.
     *
     * @param pseudoClock    true for replay (the engine drives time from events), false for the wall clock
     * @param sessionGlobals global name → this session's object
     */
    public KieSession newSession(boolean pseudoClock, Map<String, ?> sessionGlobals) {
        KieSession session = newSession(pseudoClock);
        sessionGlobals.forEach((name, value) -> {
            if (value != null && declaredGlobals.contains(name)) {
                session.setGlobal(name, value);
            }
        });
        return session;
    }

    public KieBase kieBase() {
        return kieBase;
    }

    /**
     * How long Drools itself keeps a process event after its time, in ms (the offset it schedules an expiry timer
     * at for each one: an {@code @expires} on {@code ProcessEvent}, or what it infers from a rule that joins
     * process events across time), or -1 when it never expires them: then the session deletes them itself
     * ({@code DetectionSession}), as the bundled rules expect.
     */
    public long processEventExpiry() {
        Long e = processEventExpiry;
        if (e == null) {
            long offset = -1;
            for (org.drools.core.reteoo.ObjectTypeNode otn
                    : ((org.drools.core.impl.InternalRuleBase) kieBase).getRete().getObjectTypeNodes()) {
                if (otn.getObjectType() instanceof org.drools.base.base.ClassObjectType t
                        && t.getClassType() == io.procwatch.normalize.ProcessEvent.class) {
                    offset = otn.getExpirationOffset();
                }
            }
            e = processEventExpiry = offset;
        }
        return e;
    }

    /**
     * The process event fields these rules read lower-cased first (in the first constraint of a process event
     * pattern that lower-cases a field): what every event reaching those patterns has lower-cased, so a reading
     * thread may do it ahead of the session ({@code DetectionSession.prepare}).
     */
    public List<String> leadingLowerCaseFields() {
        List<String> f = leadingLowerCase;
        if (f == null) {
            f = leadingLowerCase = LeadingLowerCaseFields.of(kieBase);
        }
        return f;
    }

    public RuleCatalog catalog() {
        return catalog;
    }

    /** Where the rules came from, for logs. */
    public String origin() {
        return origin;
    }

    /** Number of DRL rules in the KieBase (detections, filters and aggregation). */
    public int ruleCount() {
        return kieBase.getKiePackages().stream().mapToInt(p -> p.getRules().size()).sum();
    }
}
