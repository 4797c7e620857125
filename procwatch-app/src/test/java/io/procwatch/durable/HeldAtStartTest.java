package io.procwatch.durable;

import io.procwatch.serve.RetryingNdjsonFile;
import io.procwatch.serve.RiskOutFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The record a file output took just before the process was killed, whose delivery the state had not recorded yet
 * (the kill fell between the two), is recognised at the next start as the file's last line and not written again;
 * any other kept record is written.
 */
class HeldAtStartTest {

    private static final String N1 = "{\"notable_id\":\"n1\",\"count\":1}";
    private static final String N2 = "{\"notable_id\":\"n2\",\"count\":2}";

    @Test
    void theNotableTheFileTookBeforeTheKillIsNotWrittenAgain(@TempDir Path dir) throws Exception {
        assertEquals(List.of(N1, N2), deliverAfterRestart(dir, N1 + "\n"));
    }

    @Test
    void aLastLineCutShortByTheKillIsWrittenWhole(@TempDir Path dir) throws Exception {
        assertEquals(List.of(N1, N2), deliverAfterRestart(dir, N1.substring(0, 9)));
    }

    @Test
    void aFileWhoseLastLineIsAnotherRecordGetsBothKeptNotables(@TempDir Path dir) throws Exception {
        String older = "{\"notable_id\":\"n0\",\"count\":0}";
        assertEquals(List.of(older, N1, N2), deliverAfterRestart(dir, older + "\n"));
    }

    /** n1 and n2 kept for the file in the state; the file as the kill left it; a new drainer delivers. */
    private static List<String> deliverAfterRestart(Path dir, String fileBefore) throws Exception {
        Path out = dir.resolve("notables.ndjson");
        Files.writeString(out, fileBefore);
        try (StateStore store = StateStore.open(dir.resolve("state"), StateStore.Fsync.NEVER)) {
            store.emit("n1", 1, N1.getBytes(StandardCharsets.UTF_8), List.of("file"));
            store.emit("n2", 2, N2.getBytes(StandardCharsets.UTF_8), List.of("file"));
            RetryingNdjsonFile file = new RetryingNdjsonFile(out, 1 << 20, true, m -> { });
            String last = file.lastLineAtOpen();
            DurableOutput output = new DurableOutput() {
                @Override
                public String name() {
                    return "file";
                }

                @Override
                public Delivery deliver(String json) {
                    return file.tryAppend(json) ? Delivery.DELIVERED : Delivery.RETRY_LATER;
                }

                @Override
                public boolean heldAtStart(String json) {
                    return json.equals(last);
                }
            };
            try (OutboxDrainer drainer = new OutboxDrainer(store, output)) {
                long until = System.nanoTime() + 10_000_000_000L;
                while (store.undeliveredCount("file") > 0 && System.nanoTime() < until) {
                    Thread.sleep(10);
                }
                assertEquals(0, store.undeliveredCount("file"));
            }
            file.close();
        }
        return Files.readAllLines(out);
    }

    @Test
    void theRiskOutFileKnowsTheRiskEventOfItsLastWholeLine(@TempDir Path dir) throws Exception {
        Path risk = dir.resolve("risk.ndjson");
        Files.writeString(risk, "{\"risk_object\":\"a\",\"risk_event_id\":\"r1\"}\n{\"risk_object\":\"b\",\"risk_event_id\":\"r2\"}\n"
                + "{\"risk_object\":\"c\",\"risk_ev");
        try (RiskOutFile f = new RiskOutFile(risk, m -> { })) {
            assertTrue(f.heldAtStart("r2"), "the last whole line, the torn one cut off");
            assertFalse(f.heldAtStart("r1"));
            assertFalse(f.heldAtStart(null));
        }
        assertEquals(2, Files.readAllLines(risk).size());
        Files.writeString(risk, "");
        try (RiskOutFile f = new RiskOutFile(risk, m -> { })) {
            assertFalse(f.heldAtStart("r2"), "an empty file holds none");
        }
    }
}
