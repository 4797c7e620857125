package io.procwatch.engine;

import io.procwatch.aggregate.Notable;
import io.procwatch.detect.RuleSet;
import io.procwatch.normalize.FieldTable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two engines with different rules and different field sets run side by side in one JVM: neither sees the other's
 * field names, name cap, notables or counters. Guards the "nothing static and mutable" rule: a JVM-wide field table
 * would let one engine's noisy feed exhaust the other's field slots.
 */
class TwoEnginesIsolationTest {

    private static final String ZETA_ID = "0d7f3c9e-2a51-4b8e-9c61-5e1f00a7be01";
    private static final String NOISE_FIELD = "NoiseField";
    private static final int NOISE_EVENTS = FieldTable.EVENT_NAME_LIMIT + 100;

    /** rules-drl without its detections, plus one detection on a field the bundled rules never name. */
    private static RuleSet zetaRules(Path dir) throws Exception {
        Path rules = Files.createDirectories(dir.resolve("zeta-rules"));
        try (Stream<Path> s = Files.list(Path.of("rules-drl"))) {
            for (Path p : s.filter(p -> p.toString().endsWith(".drl")
                    && !p.getFileName().toString().contains("qemu")).toList()) {
                Files.copy(p, rules.resolve(p.getFileName()));
            }
        }
        Files.writeString(rules.resolve("zeta.drl"), """
                package io.procwatch.rules;
                import io.procwatch.normalize.ProcessEvent;
                global io.procwatch.detect.Detections detections;
                rule "Zeta Tool Seen"
                    @id( "%s" )
                    @title( "Zeta Tool Seen" )
                    @riskScore( 10 )
                    @riskObject( "dest" )
                    @riskObjectType( "system" )
                    @riskMessage( "Zeta seen on $dest$." )
                    @mitre( "T1059" )
                    @earliest( "-70m@m" )
                    @latest( "-10m@m" )
                    @groupBy( "Computer ZetaTool" )
                when
                    $e : ProcessEvent( lc( "ZetaTool" ) contains "zeta" )
                then
                    insert( detections.match( kcontext, $e ) );
                end
                """.formatted(ZETA_ID));
        return RuleSet.fromDirectory(rules);
    }

    private static String sysmon(String time, String host, Map<String, String> data) {
        String fields = data.entrySet().stream()
                .map(e -> "\"" + e.getKey() + "\":\"" + e.getValue().replace("\\", "\\\\") + "\"")
                .collect(Collectors.joining(","));
        return "{\"EventID\":1,\"Channel\":\"Microsoft-Windows-Sysmon/Operational\",\"Computer\":\"" + host
                + "\",\"SystemTime\":\"" + time + "\"," + fields + "}\n";
    }

    @Test
    void enginesWithDifferentRulesAndFieldsShareNothing(@TempDir Path dir) throws Exception {
        List<Notable> outA = new CopyOnWriteArrayList<>();
        List<Notable> outB = new CopyOnWriteArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try (ProcwatchEngine a = ProcwatchEngine.builder().bundledRules().onNotable(outA::add).build();
             ProcwatchEngine b = ProcwatchEngine.builder().rules(zetaRules(dir)).onNotable(outB::add).build()) {
            // Engine A: a feed with a new field name in every event (more names than a table hands out), then QEMU.
            Future<?> feedA = pool.submit(() -> {
                StringBuilder text = new StringBuilder();
                for (int i = 0; i < NOISE_EVENTS; i++) {
                    text.append(sysmon("2024-03-04T10:00:00Z", "WKS-A",
                            Map.of("CommandLine", "whoami", NOISE_FIELD + i, "v" + i)));
                }
                text.append(sysmon("2024-03-04T10:05:00Z", "WKS-A", Map.of(
                        "Image", "C:\\q\\qemu-system-x86_64.exe", "Product", "QEMU",
                        "CommandLine", "qemu-system-x86_64.exe -nographic disk.img")));
                assertEquals(NOISE_EVENTS + 1, a.submitText(text.toString()).accepted());
                a.flush();
            });
            // Engine B, at the same time: its own field, seen after A's table is long full.
            Future<?> feedB = pool.submit(() -> {
                try {
                    feedA.get(60, TimeUnit.SECONDS);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                assertEquals(2, b.submitText(
                        sysmon("2024-03-04T10:06:00Z", "WKS-B", Map.of("ZetaTool", "ZETA.exe --run", "CommandLine", "zeta"))
                        + sysmon("2024-03-04T10:07:00Z", "WKS-B", Map.of(
                                "Image", "C:\\q\\qemu-system-x86_64.exe", "Product", "QEMU",
                                "CommandLine", "qemu-system-x86_64.exe -nographic disk.img"))).accepted());
                b.flush();
            });
            feedB.get(120, TimeUnit.SECONDS);

            FieldTable ta = a.fieldTable();
            FieldTable tb = b.fieldTable();
            assertEquals(FieldTable.EVENT_NAME_LIMIT, ta.count(), "A's feed filled A's table to its cap");
            assertTrue(ta.find(NOISE_FIELD + (NOISE_EVENTS - 1)) < 0, "A's last names got no slot");
            int zeta = tb.find("ZetaTool");
            assertTrue(zeta >= 0 && zeta < FieldTable.EVENT_NAME_LIMIT, "B numbers its own field: " + zeta);
            assertEquals(-1, tb.find(NOISE_FIELD + "0"), "B never saw A's names");
            assertEquals(-1, ta.find("ZetaTool"), "A never saw B's names");

            Set<String> rulesA = outA.stream().map(Notable::ruleId).collect(Collectors.toSet());
            Set<String> rulesB = outB.stream().map(Notable::ruleId).collect(Collectors.toSet());
            assertTrue(rulesA.contains("c4c0a2d4-0675-4fde-97b7-115145ba257c"), "A runs the bundled QEMU rules: " + rulesA);
            assertTrue(!rulesA.contains(ZETA_ID), "A has no Zeta rule");
            assertTrue(rulesB.contains(ZETA_ID), "B runs its own rule: " + rulesB);
            assertTrue(rulesB.stream().noneMatch(rulesA::contains), "B has no QEMU rule: " + rulesB);
            List<Notable> zetaNotables = new ArrayList<>(outB.stream().filter(n -> n.ruleId().equals(ZETA_ID)).toList());
            assertEquals(1, zetaNotables.size());
            assertEquals("WKS-B", zetaNotables.get(0).fields().get("risk_object"));

            assertEquals(NOISE_EVENTS + 1, a.metrics().processed(), "A's counters are A's");
            assertEquals(2, b.metrics().processed(), "B's counters are B's");
        } finally {
            pool.shutdownNow();
        }
    }
}
