package io.procwatch.bench;

import io.procwatch.intake.EventSource;
import io.procwatch.intake.IntakeCounts;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code bench --read} reads what {@code scan} reads: each round prints the intake's own counts. */
class IntakeBenchmarkTest {

    @Test
    void eachRoundPrintsTheIntakeCountsOfTheInputs() {
        List<Path> inputs = List.of(Path.of("examples"));
        IntakeCounts expected = new EventSource().readAll(inputs, new io.procwatch.intake.EventSink() {
            @Override
            public void processEvent(io.procwatch.normalize.ProcessEvent event) {
            }

            @Override
            public void rejected(io.procwatch.read.Origin origin, String reason) {
            }
        }, new io.procwatch.read.InputListener() {
        });
        assertTrue(expected.records() > 0, "examples/ holds events");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        IntakeBenchmark.run(inputs, 2, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(2, lines.size(), lines.toString());
        String counts = String.format(java.util.Locale.ROOT, "%,d records (%,d process, %,d other, %,d rejected)", expected.records(),
                expected.processEvents(), expected.otherEvents(), expected.rejected());
        for (int round = 1; round <= 2; round++) {
            assertTrue(lines.get(round - 1).startsWith("round " + round + ": " + counts), lines.get(round - 1));
            assertTrue(lines.get(round - 1).matches(".* CPU us/record.*"), lines.get(round - 1));
        }
    }
}
