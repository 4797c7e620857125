package io.procwatch.detect.model;

import org.kie.api.KieBase;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Rules compiled at run time ({@code --rules DIR}, {@code --sigma DIR}) kept on disk as executable-model classes,
 * keyed by a SHA-256 of procwatch's version and every rule file's name and content: the second run of the same
 * rules builds its KieBase from the cached classes instead of converting and compiling again. An entry is written
 * to a temporary folder and moved into place, so a concurrent or interrupted run never sees half of one; a damaged
 * entry is a miss (and is rebuilt). Entries are never stale: a changed file is a new key.
 *
 * <p>The folder is {@code $PROCWATCH_CACHE}, else {@code $XDG_CACHE_HOME/procwatch}, else
 * {@code ~/.cache/procwatch}; {@code PROCWATCH_CACHE=off} turns the cache off.
 */
public final class CompiledRuleCache {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(CompiledRuleCache.class);
    private static final String CLASSES = "classes";
    private static final String MESSAGES = "messages.txt";

    private final Path root;
    private final String version;

    /** What a cache entry holds: the KieBase built from it and the messages the compile printed. */
    public record Entry(KieBase kieBase, String messages) {
    }

    /** @param root the cache folder; @param version procwatch's version, part of every key */
    public CompiledRuleCache(Path root, String version) {
        this.root = root;
        this.version = version;
    }

    /**
     * The cache at its documented place, or {@code null} when turned off; keyed by procwatch's version (or, in a
     * build without one, by when its classes were built).
     */
    public static CompiledRuleCache atDefaultLocation() {
        return atDefaultLocation(defaultVersion());
    }

    /**
     * The cache in {@code root}, keyed as {@link #atDefaultLocation()} keys it: a process that prepares the cache
     * folder of procwatch processes it starts on the same classpath (the tests do) writes the entries they find.
     */
    public static CompiledRuleCache inFolder(Path root) {
        return new CompiledRuleCache(root, defaultVersion());
    }

    /**
     * procwatch's version; for a development build (no version, or a {@code -SNAPSHOT} built again under the same one)
     * also when its classes were built, so that a rebuilt jar never loads a model compiled against other classes.
     */
    private static String defaultVersion() {
        String version = CompiledRuleCache.class.getPackage().getImplementationVersion();
        if (version != null && !version.endsWith("-SNAPSHOT")) {
            return version;
        }
        String name = version == null ? "dev" : version;
        try {
            Path where = Path.of(CompiledRuleCache.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path built = Files.isDirectory(where)
                    ? where.resolve(CompiledRuleCache.class.getName().replace('.', '/') + ".class").normalize()
                    : where;
            return name + " " + Files.getLastModifiedTime(built);
        } catch (Exception e) {
            return name;
        }
    }

    /** The cache at its documented place for {@code version}, or {@code null} when turned off. */
    public static CompiledRuleCache atDefaultLocation(String version) {
        String env = System.getenv("PROCWATCH_CACHE");
        if ("off".equalsIgnoreCase(env)) {
            return null;
        }
        Path root;
        if (env != null && !env.isBlank()) {
            root = Path.of(env);
        } else {
            String xdg = System.getenv("XDG_CACHE_HOME");
            root = (xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache"))
                    .resolve("procwatch");
        }
        return new CompiledRuleCache(root, version);
    }

    public Path root() {
        return root;
    }

    /**
     * The key of a rule set: procwatch's version, how the files are turned into rules ({@code kind}), and every
     * input file's name and bytes, in the given order.
     */
    public String key(String kind, Map<String, byte[]> files) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            update(sha, "procwatch " + version);
            update(sha, kind);
            for (Map.Entry<String, byte[]> f : files.entrySet()) {
                update(sha, f.getKey());
                sha.update(f.getValue());
                sha.update((byte) 0);
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void update(MessageDigest sha, String s) {
        sha.update(s.getBytes(StandardCharsets.UTF_8));
        sha.update((byte) 0);
    }

    /**
     * The entry of {@code key}, or {@code null} on a miss: absent, or damaged (unreadable, classes that do not load
     * or build): a damaged entry is logged and removed, so the caller builds and stores it again.
     */
    public Entry load(String key) {
        Path dir = root.resolve(key);
        Path list = dir.resolve(ExecutableModelLoader.MODEL_LIST);
        if (!Files.isRegularFile(list)) {
            if (Files.isDirectory(dir)) {
                discard(dir, "its model list is missing");
            }
            return null;
        }
        try {
            List<String> models = Files.readAllLines(list, StandardCharsets.UTF_8);
            String messages = Files.isRegularFile(dir.resolve(MESSAGES)) ? Files.readString(dir.resolve(MESSAGES)) : "";
            ClassLoader loader = new URLClassLoader("procwatch-rules-" + key.substring(0, 12),
                    new URL[]{dir.resolve(CLASSES).toUri().toURL()}, CompiledRuleCache.class.getClassLoader());
            return new Entry(ExecutableModelLoader.build(loader, models, classNames(dir.resolve(CLASSES))), messages);
        } catch (IOException | RuntimeException | LinkageError e) {
            discard(dir, e.toString());
            return null;
        }
    }

    /** The binary names of the class files under {@code classes}, in path order. */
    private static List<String> classNames(Path classes) throws IOException {
        try (Stream<Path> s = Files.walk(classes)) {
            return s.map(p -> classes.relativize(p).toString())
                    .filter(n -> n.endsWith(".class"))
                    .sorted()
                    .map(n -> n.substring(0, n.length() - ".class".length()).replace(java.io.File.separatorChar, '.'))
                    .toList();
        }
    }

    /** Removes a damaged entry (never used: a miss, then built and stored again), with a warning. */
    private static void discard(Path dir, String why) {
        LOG.warn("compiled-rule cache entry {} is damaged ({}); it is removed and the rules are compiled again", dir, why);
        try {
            deleteTree(dir);
        } catch (IOException e) {
            LOG.warn("could not remove {}: {}", dir, e.toString());
        }
    }

    private static final String REFUSED = ".refused";

    /** True when {@link #refuse} recorded that these rules do not compile into the executable model. */
    public boolean isRefused(String key) {
        return Files.isRegularFile(root.resolve(key + REFUSED));
    }

    /** Records that the rules of {@code key} compile as DRL only, so later runs go straight to DRL. */
    public void refuse(String key, String why) {
        try {
            Files.createDirectories(root);
            Files.writeString(root.resolve(key + REFUSED), why + "\n");
        } catch (IOException e) {
            // not recorded: the next run tries again
        }
    }

    /** Writes an entry (classes, model list, messages) and returns it loaded from disk. */
    public Entry store(String key, ExecutableModelCompiler.Compiled compiled, String messages) throws IOException {
        Files.createDirectories(root);
        Path tmp = Files.createTempDirectory(root, key.substring(0, 12) + ".tmp-");
        try {
            ExecutableModelGenerator.write(compiled, tmp.resolve(CLASSES), tmp.resolve(ExecutableModelLoader.MODEL_LIST));
            Files.writeString(tmp.resolve(MESSAGES), messages);
            try {
                Files.move(tmp, root.resolve(key), StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException e) {
                // another run stored the same key first: same content
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, root.resolve(key));
            }
        } finally {
            deleteTree(tmp);
        }
        Entry e = load(key);
        if (e == null) {
            throw new IOException("compiled rules stored in " + root.resolve(key) + " cannot be loaded back");
        }
        return e;
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(q);
            }
        }
    }
}
