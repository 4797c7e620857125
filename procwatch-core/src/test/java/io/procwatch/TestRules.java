package io.procwatch;

import io.procwatch.detect.RuleCompileException;
import io.procwatch.detect.RuleSet;
import io.procwatch.detect.model.CompiledRuleCache;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Compiled rules shared by the tests of one JVM: the project's rules-drl/, and any DRL texts a test compiles
 * through {@link #compile} (an MVEL build takes a second or two; tests that compile equal texts share one
 * KieBase). Sessions made from a shared rule set are independent; only the rule set's per-rule-set caches are shared,
 * as between the sessions of one engine.
 */
public final class TestRules {

    public static final String SPLUNK_ID = "c4c0a2d4-0675-4fde-97b7-115145ba257c";
    public static final String SIGMA_ID = "5fc297ae-25b6-488a-8f25-cc12ac29b744";

    private static RuleSet rules;
    /** Rule sets compiled by {@link #compile}, by their files (path and text) in order. */
    private static final Map<List<Map.Entry<Path, String>>, RuleSet> COMPILED = new ConcurrentHashMap<>();
    private static Path subprocessCache;

    private TestRules() {
    }

    public static synchronized RuleSet rulesDrl() {
        if (rules == null) {
            try {
                rules = RuleSet.fromDirectory(Path.of("rules-drl"));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        return rules;
    }

    /**
     * {@link RuleSet#compile} once per JVM for equal files: the rule set compiled earlier from the same paths and
     * texts, in the same order, or a new one. Compile errors are thrown each time (never remembered).
     */
    public static RuleSet compile(Map<Path, String> drlFiles, String origin) throws RuleCompileException {
        List<Map.Entry<Path, String>> key = new ArrayList<>();
        drlFiles.forEach((p, text) -> key.add(Map.entry(p, text)));
        RuleSet hit = COMPILED.get(key);
        if (hit != null) {
            return hit;
        }
        RuleSet compiled = RuleSet.compile(drlFiles, origin);
        RuleSet raced = COMPILED.putIfAbsent(List.copyOf(key), compiled);
        return raced != null ? raced : compiled;
    }

    /**
     * The compiled-rule cache folder ({@code PROCWATCH_CACHE}) for the procwatch JVMs that tests start: emptied on
     * first use in each test JVM, then given rules-drl/ compiled into its executable model here, once, so that those
     * JVMs ({@code --rules rules-drl}) load it as a user's second run does, instead of each of the first ones
     * started side by side compiling it. The tests' own rule sets compile as DRL ({@code PROCWATCH_CACHE=off} in
     * the build).
     */
    public static synchronized Path subprocessRuleCache() {
        if (subprocessCache == null) {
            Path dir = Path.of("target", "subprocess-rule-cache").toAbsolutePath();
            try {
                if (Files.exists(dir)) {
                    try (Stream<Path> s = Files.walk(dir)) {
                        for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                            Files.delete(p);
                        }
                    }
                }
                Files.createDirectories(dir);
                RuleSet.fromDirectory(Path.of("rules-drl"), CompiledRuleCache.inFolder(dir));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (RuleCompileException e) {
                throw new IllegalStateException(e);
            }
            subprocessCache = dir;
        }
        return subprocessCache;
    }
}
