package io.procwatch.serve;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code serve --out} / {@code --risk-out} opened for append after a {@code kill -9} that stopped the process in the
 * middle of writing a line: that partial line is cut off, so the next record (the same one written again, whole, by
 * the replay or the outbox) starts on a line of its own instead of continuing it.
 */
class RetryingNdjsonFileTest {

    private static String append(Path f, String line, List<String> notices) throws Exception {
        RetryingNdjsonFile file = new RetryingNdjsonFile(f, 0, true, notices::add, "risk events");
        try {
            assertTrue(file.tryAppend(line));
        } finally {
            file.close();
        }
        return Files.readString(f);
    }

    @Test
    void aLastLineWithoutItsEndIsCutOffBeforeTheNextRecord(@TempDir Path dir) throws Exception {
        List<String> notices = new ArrayList<>();
        Path f = Files.writeString(dir.resolve("risk.ndjson"), "{\"a\":1}\n{\"b\":2}\n{\"c\":");
        assertEquals("{\"a\":1}\n{\"b\":2}\n{\"c\":3}\n", append(f, "{\"c\":3}", notices));
        assertEquals(1, notices.size(), notices.toString());
        assertTrue(notices.get(0).contains("cut 5 bytes"), notices.get(0));

        // Whole lines stay as they are.
        notices.clear();
        assertEquals("{\"a\":1}\n{\"b\":2}\n{\"c\":3}\n{\"d\":4}\n", append(f, "{\"d\":4}", notices));
        assertEquals(List.of(), notices);
    }

    @Test
    void aLongPartialLineAndAFileOfOnePartialLine(@TempDir Path dir) throws Exception {
        List<String> notices = new ArrayList<>();
        String whole = "{\"a\":\"" + "x".repeat(20_000) + "\"}\n";
        Path f = Files.writeString(dir.resolve("risk.ndjson"), whole + "{\"b\":\"" + "y".repeat(30_000));
        assertEquals(whole + "{\"b\":1}\n", append(f, "{\"b\":1}", notices));
        assertTrue(notices.get(0).contains("cut 30006 bytes"), notices.toString());

        Path only = Files.writeString(dir.resolve("only.ndjson"), "{\"a\":\"" + "z".repeat(10_000));
        assertEquals("{\"a\":2}\n", append(only, "{\"a\":2}", notices));
    }
}
