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
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Watches a rules directory (and its subdirectories) and calls {@link ProcwatchEngine#reload(Path)} when a
 * {@code .drl} file is created, changed or deleted. Changes are collected until the directory has been quiet for
 * the debounce time (editors write a file in several steps), then the whole directory is recompiled once. Each
 * reload is logged with the files that changed, how long it took and how many rules are in force; a rule set that
 * does not compile is logged with its {@code file:line} problems and the running rules stay.
 */
public final class RuleWatcher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RuleWatcher.class);

    private final ProcwatchEngine engine;
    private final Path dir;
    private final ProcwatchEngine.RuleLoader loader;
    private final long debounceMillis;
    private final WatchService watch;
    private final Map<WatchKey, Path> keys = new ConcurrentHashMap<>();
    private final Thread thread;
    private final AtomicLong attempts = new AtomicLong();
    private volatile boolean running = true;

    /** Starts watching at once; a change recompiles {@code dir}. */
    public RuleWatcher(ProcwatchEngine engine, Path dir, Duration debounce) throws IOException {
        this(engine, dir, debounce, () -> RuleSet.fromDirectory(dir));
    }

    /** Starts watching {@code dir} at once; a change reloads what {@code loader} compiles (e.g. DIR plus Sigma rules). */
    public RuleWatcher(ProcwatchEngine engine, Path dir, Duration debounce, ProcwatchEngine.RuleLoader loader)
            throws IOException {
        this.engine = engine;
        this.dir = dir;
        this.loader = loader;
        this.debounceMillis = debounce.toMillis();
        this.watch = FileSystems.getDefault().newWatchService();
        registerTree(dir);
        this.thread = new Thread(this::run, "procwatch-rule-watcher");
        thread.setDaemon(true);
        thread.start();
        LOG.info("watching {} for DRL changes", dir);
    }

    private void registerTree(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            for (Path d : s.filter(Files::isDirectory).toList()) {
                keys.put(d.register(watch, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
                        StandardWatchEventKinds.ENTRY_DELETE), d);
            }
        }
    }

    /** Reloads attempted so far (successful or not). */
    public long attempts() {
        return attempts.get();
    }

    private void run() {
        TreeSet<String> changed = new TreeSet<>();
        try {
            while (running) {
                WatchKey key = changed.isEmpty() ? watch.take() : watch.poll(debounceMillis, TimeUnit.MILLISECONDS);
                if (key == null) {
                    reload(changed);
                    changed.clear();
                    continue;
                }
                Path base = keys.get(key);
                for (WatchEvent<?> ev : key.pollEvents()) {
                    if (ev.kind() == StandardWatchEventKinds.OVERFLOW) {
                        changed.add("(many files)");
                        continue;
                    }
                    Path p = base.resolve((Path) ev.context());
                    if (ev.kind() == StandardWatchEventKinds.ENTRY_CREATE && Files.isDirectory(p)) {
                        registerTree(p);
                    }
                    if (p.toString().endsWith(".drl")) {
                        changed.add(dir.relativize(p).toString());
                    }
                }
                if (!key.reset()) {
                    keys.remove(key);
                }
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // closing
        } catch (IOException e) {
            LOG.error("rule watcher stopped: {}", e.toString());
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
        } catch (IOException | RuntimeException e) {
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
