package io.procwatch.engine;

import io.procwatch.detect.RuleSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The watcher of {@code serve --watch} survives a loader that throws an Error (a Sigma condition nested 5,000
 * levels deep gives a StackOverflowError) and a RuntimeException: each counts as a failed reload, and the next good
 * edit is loaded.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class RuleWatcherFailureTest {

    @Test
    void errorsInTheLoaderAreCountedAndLaterEditsStillLoad(@TempDir Path dir) throws Exception {
        RuleSet bundled = RuleSet.bundled();
        AtomicInteger calls = new AtomicInteger();
        ProcwatchEngine.RuleLoader loader = () -> {
            String text = Files.readString(dir.resolve("rule.yml"));
            calls.incrementAndGet();
            if (text.contains("deep")) {
                throw new StackOverflowError();
            }
            if (text.contains("bug")) {
                throw new IllegalStateException("loader bug");
            }
            return bundled;
        };
        Files.writeString(dir.resolve("rule.yml"), "title: start\n");
        try (ProcwatchEngine engine = ProcwatchEngine.builder().rules(bundled).build();
             RuleWatcher watcher = new RuleWatcher(engine, Map.of(dir, List.of(".yml")), Duration.ofMillis(100), loader)) {
            edit(dir, "title: deep\n", watcher, 1);
            edit(dir, "title: bug\n", watcher, 2);
            assertEquals(2, engine.metrics().reloadFailures());
            edit(dir, "title: good\n", watcher, 3);
            assertEquals(1, engine.metrics().reloads());
            assertEquals(2, engine.metrics().reloadFailures());
        }
    }

    private static void edit(Path dir, String text, RuleWatcher watcher, int attempts) throws Exception {
        Files.writeString(dir.resolve("rule.yml"), text);
        long until = System.nanoTime() + 30_000_000_000L;
        while (watcher.attempts() < attempts && System.nanoTime() < until) {
            Thread.sleep(50);
        }
        Thread.sleep(300);   // let the attempt finish
        assertEquals(attempts, watcher.attempts());
    }
}
