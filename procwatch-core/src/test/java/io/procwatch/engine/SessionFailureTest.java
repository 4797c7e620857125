package io.procwatch.engine;

import io.procwatch.aggregate.Notable;
import io.procwatch.detect.RuleSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An Error on the session thread (here thrown by a rule's consequence, standing in for an OutOfMemoryError) is never
 * half-dead: the engine recovers with a new session of the current rules that keeps the open windows, or, when the
 * failure repeats at once, stops and says why so that the service exits for its supervisor.
 */
// A separate thread: a hang here must fail the test, not the build.
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SessionFailureTest {

    static final String QEMU_EVENT = "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System>"
            + "<Provider Name='Microsoft-Windows-Sysmon'/><EventID>1</EventID>"
            + "<TimeCreated SystemTime='2024-03-04T10:%02d:00.000Z'/><Channel>Microsoft-Windows-Sysmon/Operational</Channel>"
            + "<Computer>WKS-1</Computer></System><EventData><Data Name='Image'>C:\\q\\qemu-system-x86_64.exe</Data>"
            + "<Data Name='CommandLine'>%s</Data><Data Name='Product'>QEMU</Data></EventData></Event>";

    /** rules-drl plus a rule that throws {@code error} for command lines containing "CRASH". */
    static RuleSet crashingRules(Path dir, String error) throws Exception {
        Path rules = Files.createDirectories(dir.resolve("rules"));
        try (Stream<Path> s = Files.list(Path.of("rules-drl"))) {
            for (Path p : s.filter(p -> p.toString().endsWith(".drl")).toList()) {
                Files.copy(p, rules.resolve(p.getFileName()));
            }
        }
        Files.writeString(rules.resolve("zz_crash.drl"), """
                package io.procwatch.rules;
                import io.procwatch.normalize.ProcessEvent;
                rule "test: crash the session"
                when
                    $e : ProcessEvent( lc( "CommandLine" ) contains "crash" )
                then
                    throw new %s("injected by the test");
                end
                """.formatted(error));
        return RuleSet.fromDirectory(rules);
    }

    static String event(int minute, String commandLine) {
        return String.format(QEMU_EVENT, minute, commandLine);
    }

    @Test
    void anErrorInTheSessionIsRecoveredAndTheOpenWindowKeepsCounting(@TempDir Path dir) throws Exception {
        List<Notable> out = new CopyOnWriteArrayList<>();
        try (ProcwatchEngine engine = ProcwatchEngine.builder().rules(crashingRules(dir, "OutOfMemoryError"))
                .onNotable(out::add).build()) {
            String cmd = "qemu-system-x86_64.exe -nographic disk.img";
            engine.submitText(event(1, cmd));
            engine.tick();   // evaluated before the crash (matches of the failing firing itself are lost)
            engine.submitText(event(2, "qemu CRASH"));
            engine.tick();
            engine.submitText(event(3, cmd));
            engine.flush();
            assertTrue(engine.isOpen());
            assertNull(engine.failure());
            assertEquals(1, engine.sessionFailures());
            assertEquals(3, engine.metrics().processed());
            assertEquals(1, out.size(), out.toString());
            assertEquals(2L, ((Number) out.get(0).fields().get("count")).longValue(), out.toString());
        }
    }

    @Test
    void aFailureThatRepeatsStopsTheEngineAndSaysWhy(@TempDir Path dir) throws Exception {
        try (ProcwatchEngine engine = ProcwatchEngine.builder().rules(crashingRules(dir, "StackOverflowError")).build()) {
            for (int i = 0; i < 5; i++) {
                try {
                    engine.submitText(event(i, "CRASH " + i));
                    engine.tick();   // one firing, one failure, each time
                } catch (IllegalStateException closed) {
                    break;
                }
            }
            long until = System.nanoTime() + 20_000_000_000L;
            while (engine.failure() == null && System.nanoTime() < until) {
                Thread.sleep(20);
            }
            assertNotNull(engine.failure());
            assertTrue(engine.failure() instanceof StackOverflowError, engine.failure().toString());
            assertFalse(engine.isOpen());
            assertEquals(4, engine.sessionFailures());
        }
    }
}
