package io.procwatch.engine;

import io.procwatch.detect.RuleCompileException;
import io.procwatch.detect.RuleSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Watches rule directories (and their subdirectories) and reloads the engine when a rule file is created, changed
 * or deleted: {@code .drl} files in a DRL directory, {@code .yml}/{@code .yaml} files in a Sigma directory.
 * Changes are collected until the directories have been quiet for the debounce time (editors write a file in
 * several steps), then the rules are compiled again once. Each
 * reload is logged with the files that changed, how long it took and how many rules are in force; a rule set that
 * does not compile is logged with its {@code file:line} problems and the running rules stay.
 */
public final class RuleWatcher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RuleWatcher.class);

    private final ProcwatchEngine engine;
    /** Watched roots and, per root, the file name endings that count as rule files. */
    private final Map<Path, List<String>> roots;
    private final ProcwatchEngine.RuleLoader loader;
    private final long debounceMillis;
    private final WatchService watch;
    /** Each watched directory and the root it belongs to. */
    private final Map<WatchKey, Path[]> keys = new ConcurrentHashMap<>();
    private final Thread thread;
    private final AtomicLong attempts = new AtomicLong();
    private volatile boolean running = true;

    /** Starts watching at once; a DRL change recompiles {@code dir}. */
    public RuleWatcher(ProcwatchEngine engine, Path dir, Duration debounce) throws IOException {
        this(engine, dir, debounce, () -> RuleSet.fromDirectory(dir));
    }

    /** Starts watching {@code dir} at once; a DRL change reloads what {@code loader} compiles. */
    public RuleWatcher(ProcwatchEngine engine, Path dir, Duration debounce, ProcwatchEngine.RuleLoader loader)
            throws IOException {
        this(engine, Map.of(dir, List.of(".drl", ".csv")), debounce, loader);
    }

    /**
     * Starts watching at once; a change of a file under one of {@code roots} whose name ends with one of that
     * root's endings reloads what {@code loader} compiles (e.g. a DRL directory with {@code .drl} and Sigma
     * directories with {@code .yml} and {@code .yaml}).
     */
    public RuleWatcher(ProcwatchEngine engine, Map<Path, List<String>> roots, Duration debounce,
                       ProcwatchEngine.RuleLoader loader) throws IOException {
        this.engine = engine;
        this.roots = Map.copyOf(roots);
        this.loader = loader;
        this.debounceMillis = debounce.toMillis();
        this.watch = FileSystems.getDefault().newWatchService();
        for (Path root : this.roots.keySet()) {
            registerTree(root, root);
        }
        this.thread = new Thread(this::run, "procwatch-rule-watcher");
        thread.setDaemon(true);
        thread.start();
        LOG.info("watching {} for rule changes", new TreeMap<>(this.roots));
    }

    private void registerTree(Path top, Path root) throws IOException {
        try (Stream<Path> s = Files.walk(top)) {
            for (Path d : s.filter(Files::isDirectory).toList()) {
                keys.put(d.register(watch, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
                        StandardWatchEventKinds.ENTRY_DELETE), new Path[]{d, root});
            }
        }
    }

    /** Reloads attempted so far (successful or not). */
    public long attempts() {
        return attempts.get();
    }

    /**
     * Survives every failure but closing: a reload that throws anything (a StackOverflowError from a hostile rule
     * file included) is logged and counted by the engine, and the next edit is watched for as before.
     */
    private void run() {
        TreeSet<String> changed = new TreeSet<>();
        while (running) {
            try {
                watchOnce(changed);
            } catch (InterruptedException | ClosedWatchServiceException e) {
                return;
            } catch (IOException | RuntimeException | Error e) {
                LOG.error("rule watcher: {}; still watching", e.toString());
                changed.clear();
            }
        }
    }

    private void watchOnce(TreeSet<String> changed) throws InterruptedException, IOException {
        WatchKey key = changed.isEmpty() ? watch.take() : watch.poll(debounceMillis, TimeUnit.MILLISECONDS);
        if (key == null) {
            TreeSet<String> files = new TreeSet<>(changed);
            changed.clear();
            reload(files);
            return;
        }
        Path[] base = keys.get(key);
        for (WatchEvent<?> ev : key.pollEvents()) {
            if (ev.kind() == StandardWatchEventKinds.OVERFLOW) {
                changed.add("(many files)");
                continue;
            }
            Path p = base[0].resolve((Path) ev.context());
            if (ev.kind() == StandardWatchEventKinds.ENTRY_CREATE && Files.isDirectory(p)) {
                registerTree(p, base[1]);
            }
            String name = p.getFileName().toString();
            if (roots.get(base[1]).stream().anyMatch(name::endsWith)) {
                changed.add(p.toString());
            }
        }
        if (!key.reset()) {
            keys.remove(key);
        }
    }

    private void reload(TreeSet<String> files) {
        if (!engine.isOpen()) {
            return;
        }
        attempts.incrementAndGet();
        long t0 = System.nanoTime();
        try {
            ReloadReport r = engine.reload(loader);
            LOG.info("reload after change of {}: {} rules ({} detections) in force, took {} ms (compile {} ms, swap {} ms)",
                    files, r.rules(), r.detections(), (System.nanoTime() - t0) / 1_000_000, r.compileMillis(), r.swapMillis());
        } catch (RuleCompileException e) {
            e.problems().forEach(p -> LOG.error("{}", p));
            LOG.error("reload after change of {} refused ({} problems, {} ms); the running rules ({}) stay in force",
                    files, e.problems().size(), (System.nanoTime() - t0) / 1_000_000, engine.rules().ruleCount());
        } catch (IOException | RuntimeException | Error e) {
            LOG.error("reload after change of {} failed: {}; the running rules stay in force", files, e.toString());
        }
    }

    @Override
    public void close() {
        running = false;
        try {
            watch.close();
        } catch (IOException ignored) {
            // nothing to do
        }
        thread.interrupt();
    }
}
