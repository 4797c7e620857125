package io.procwatch.read.evtx;

import static io.procwatch.read.evtx.EvtxTestFileBuilder.event;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Damaged files built in code: each must give reported errors, the good records before and after the damage,
 * and finish quickly.
 */
class EvtxCorruptFileTest {

    private static final Duration LIMIT = Duration.ofSeconds(5);

    /** Three chunks of three records: "cmd.exe /c echo 1" … "echo 9". */
    private static EvtxTestFileBuilder.Built threeChunks() {
        return new EvtxTestFileBuilder()
                .chunk(event(1), event(2), event(3))
                .chunk(event(4), event(5), event(6))
                .chunk(event(7), event(8), event(9))
                .build();
    }

    private static List<String> echoes(int... ids) {
        return Arrays.stream(ids).mapToObj(i -> "cmd.exe /c echo " + i).toList();
    }

    private static CollectingSink read(byte[] file) {
        return read(file, EvtxOptions.DEFAULTS);
    }

    private static CollectingSink read(byte[] file, EvtxOptions options) {
        return assertTimeoutPreemptively(LIMIT, () -> CollectingSink.read(file, options));
    }

    @Test
    void intactFileReadsEveryRecordWithoutReports() {
        CollectingSink sink = read(threeChunks().bytes);
        assertEquals(echoes(1, 2, 3, 4, 5, 6, 7, 8, 9), sink.commandLines());
        assertEquals(List.of(), sink.rejected);
        assertEquals(List.of(), sink.warnings);
        var first = sink.accepted.get(0);
        assertEquals("1", first.get("EventID"));
        assertEquals("HOST1", first.get("Computer"));
        assertEquals("1", first.get("evtx.RecordId"));
        assertEquals(1, first.origin().line());
        assertEquals(9, sink.accepted.get(8).origin().line());
    }

    @Test
    void templatesWithTheSameGuidButOtherContentAreNotConfusedAcrossChunks() {
        byte[] file = new EvtxTestFileBuilder()
                .chunk("CommandLine", event(1), event(2))
                .chunk("ImageLoaded", event(3), event(4)) // same GUID and size, different bytes
                .chunk("CommandLine", event(5))
                .build().bytes;
        CollectingSink sink = read(file);
        assertEquals(List.of("cmd.exe /c echo 1", "cmd.exe /c echo 2", "cmd.exe /c echo 5"),
                sink.accepted.stream().map(r -> r.get("CommandLine")).filter(v -> v != null).toList());
        assertEquals(List.of("cmd.exe /c echo 3", "cmd.exe /c echo 4"),
                sink.accepted.stream().map(r -> r.get("ImageLoaded")).filter(v -> v != null).toList());
    }

    @Test
    void zeroedRecordInsideTheUsedAreaEndsThatChunkWithOneReport() {
        EvtxTestFileBuilder.Built file = threeChunks();
        int freeSpace = file.chunkStart(0) + java.nio.ByteBuffer.wrap(file.bytes)
                .order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt(file.chunkStart(0) + 48);
        Arrays.fill(file.bytes, file.record(0, 1), freeSpace, (byte) 0); // records 2 and 3 zeroed
        CollectingSink sink = read(file.fixChecksums().bytes);
        assertEquals(echoes(1, 4, 5, 6, 7, 8, 9), sink.commandLines());
        assertEquals(1, sink.rejected.size(), sink.rejected::toString);
        assertTrue(sink.rejected.get(0).contains("zeroed area") && sink.rejected.get(0).contains("2 more record"),
                sink.rejected::toString);
    }

    @Test
    void checksumMismatchWarnsByDefaultAndStillReadsTheRecords() {
        EvtxTestFileBuilder.Built file = threeChunks();
        // Change a character of "HOST4" in chunk 1: still parses, but the records CRC no longer matches.
        int host = indexOf(file.bytes, "HOST4", file.chunkStart(1));
        file.bytes[host] = 'X';
        CollectingSink sink = read(file.bytes);
        assertEquals(9, sink.accepted.size());
        assertEquals("XOST4", sink.accepted.get(3).get("Computer"));
        assertEquals(1, sink.warnings.size(), sink.warnings::toString);
        assertTrue(sink.warnings.get(0).contains("chunk 1") && sink.warnings.get(0).contains("CRC32"));
        assertEquals(List.of(), sink.rejected);
    }

    @Test
    void checksumMismatchInStrictModeRejectsThatChunksRecordsOnly() {
        EvtxTestFileBuilder.Built file = threeChunks();
        file.bytes[indexOf(file.bytes, "HOST4", file.chunkStart(1))] = 'X';
        CollectingSink sink = read(file.bytes, new EvtxOptions(true, false));
        assertEquals(echoes(1, 2, 3, 7, 8, 9), sink.commandLines());
        assertEquals(3, sink.rejected.size(), sink.rejected::toString);
        assertTrue(sink.rejected.stream().allMatch(r -> r.contains("strict CRC")));
    }

    @Test
    void chunkHeaderChecksumMismatchIsReported() {
        EvtxTestFileBuilder.Built file = threeChunks();
        file.bytes[file.chunkStart(2) + 124] ^= 1;
        CollectingSink sink = read(file.bytes);
        assertEquals(9, sink.accepted.size());
        assertEquals(1, sink.warnings.size());
        assertTrue(sink.warnings.get(0).contains("chunk header CRC32"));
    }

    @Test
    void fileHeaderChecksumMismatchWarnsOrFailsInStrictMode() {
        EvtxTestFileBuilder.Built file = threeChunks();
        file.bytes[124] ^= 1;
        CollectingSink sink = read(file.bytes);
        assertEquals(9, sink.accepted.size());
        assertTrue(sink.warnings.get(0).contains("file header CRC32"));
        assertThrows(IOException.class, () -> CollectingSink.read(file.bytes, new EvtxOptions(true, false)));
    }

    @Test
    void truncatedLastChunkKeepsTheRecordsThatFit() {
        EvtxTestFileBuilder.Built file = threeChunks();
        byte[] cut = Arrays.copyOf(file.bytes, file.record(2, 1) + 20); // mid-way into record 8
        CollectingSink sink = read(cut);
        assertEquals(echoes(1, 2, 3, 4, 5, 6, 7), sink.commandLines());
        assertTrue(sink.rejected.stream().anyMatch(r -> r.contains("truncated")), sink.rejected::toString);
    }

    @Test
    void headerChunkCountTooLowStillReadsEveryChunk() {
        EvtxTestFileBuilder.Built file = threeChunks();
        file.bytes[42] = 1; // dirty files undercount
        CollectingSink sink = read(file.fixChecksums().bytes);
        assertEquals(echoes(1, 2, 3, 4, 5, 6, 7, 8, 9), sink.commandLines());
        assertEquals(List.of(), sink.rejected);
    }

    @Test
    void recordSizePastTheChunkAbandonsTheRestOfThatChunk() {
        EvtxTestFileBuilder.Built file = threeChunks();
        file.putInt(file.record(1, 1) + 4, 0x20000);
        CollectingSink sink = read(file.fixChecksums().bytes);
        assertEquals(echoes(1, 2, 3, 4, 7, 8, 9), sink.commandLines());
        assertEquals(1, sink.rejected.size(), sink.rejected::toString);
        assertTrue(sink.rejected.get(0).contains("runs past the chunk")
                && sink.rejected.get(0).contains("2 record(s) lost"), sink.rejected::toString);
        assertEquals(6, sink.accepted.get(4).origin().line(), "ordinals count the rejection");
    }

    @Test
    void recordSizeDisagreeingWithItsTrailingCopyAbandonsTheRestOfThatChunk() {
        EvtxTestFileBuilder.Built file = threeChunks();
        int record = file.record(0, 0);
        file.putInt(record + 4, file.record(0, 1) - record - 8);
        CollectingSink sink = read(file.fixChecksums().bytes);
        assertEquals(echoes(4, 5, 6, 7, 8, 9), sink.commandLines());
        assertEquals(1, sink.rejected.size());
        assertTrue(sink.rejected.get(0).contains("trailing size copy"));
    }

    @Test
    void templateOffsetOutsideTheChunkLosesOnlyThatRecord() {
        EvtxTestFileBuilder.Built file = threeChunks();
        file.putInt(file.templateOffsetField(1, 1), 0x7fff0000);
        CollectingSink sink = read(file.fixChecksums().bytes);
        assertEquals(echoes(1, 2, 3, 4, 6, 7, 8, 9), sink.commandLines());
        assertEquals(1, sink.rejected.size());
        assertTrue(sink.rejected.get(0).contains("outside the chunk"), sink.rejected::toString);
    }

    @Test
    void templateDefinitionThatInstantiatesItselfDoesNotLoop() {
        EvtxTestFileBuilder.Built file = threeChunks();
        // Point record 5 at its own template instance token: the "definition" then contains that instance again.
        int field = file.templateOffsetField(1, 1);
        file.putInt(field, field - 6 - file.chunkStart(1) - 24);
        CollectingSink sink = read(file.fixChecksums().bytes);
        assertEquals(echoes(1, 2, 3, 4, 6, 7, 8, 9), sink.commandLines());
        assertEquals(1, sink.rejected.size());
    }

    @Test
    void garbageChunkIsReportedAndSkipped() {
        EvtxTestFileBuilder.Built file = threeChunks();
        Arrays.fill(file.bytes, file.chunkStart(1), file.chunkStart(1) + 8, (byte) 0x55);
        CollectingSink sink = read(file.bytes);
        assertEquals(echoes(1, 2, 3, 7, 8, 9), sink.commandLines());
        assertEquals(1, sink.rejected.size());
        assertTrue(sink.rejected.get(0).contains("no ElfChnk signature"));
    }

    @Test
    void trailingAllZeroChunksAreSkippedSilently() {
        byte[] file = new EvtxTestFileBuilder().chunk(event(1), event(2)).zeroChunks(3).build().bytes;
        CollectingSink sink = read(file);
        assertEquals(echoes(1, 2), sink.commandLines());
        assertEquals(List.of(), sink.rejected);
    }

    @Test
    void slackRecordsAreRecoveredOnlyWhenAsked() {
        EvtxTestFileBuilder.Built file = threeChunks();
        // Move chunk 0's free space offset back to record 3: record 3 becomes slack.
        file.putInt(file.chunkStart(0) + 48, file.record(0, 2) - file.chunkStart(0));
        file.putLong(file.chunkStart(0) + 16, 2);
        file.fixChecksums();
        assertEquals(echoes(1, 2, 4, 5, 6, 7, 8, 9), read(file.bytes).commandLines());
        CollectingSink recovered = read(file.bytes, new EvtxOptions(false, true));
        assertEquals(echoes(1, 2, 3, 4, 5, 6, 7, 8, 9), recovered.commandLines());
        assertEquals("true", recovered.accepted.get(2).get("evtx.Recovered"));
    }

    @Test
    void notAnEvtxFileThrows() {
        assertThrows(IOException.class, () -> new EvtxReader().read(
                new ByteArrayInputStream("<Event/>".getBytes()), "x.xml", new CollectingSink()));
        assertThrows(IOException.class, () -> new EvtxReader().read(
                new ByteArrayInputStream(new byte[0]), "empty", new CollectingSink()));
    }

    @Test
    void randomDamageNeverThrowsNorHangs() {
        byte[] intact = threeChunks().bytes;
        java.util.Random random = new java.util.Random(42);
        for (int round = 0; round < 300; round++) {
            byte[] damaged = intact.clone();
            for (int i = 0; i < 20; i++) {
                int at = EvtxTestFileBuilder.FILE_HEADER + random.nextInt(3 * 2048) + random.nextInt(3) * 65536;
                damaged[at] = (byte) random.nextInt(256);
            }
            CollectingSink sink = read(damaged);
            assertTrue(sink.accepted.size() + sink.rejected.size() >= 3, "every chunk yields records or reports");
        }
    }

    private static int indexOf(byte[] haystack, String ascii, int from) {
        byte[] needle = ascii.getBytes(java.nio.charset.StandardCharsets.UTF_16LE);
        outer:
        for (int i = from; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError(ascii + " not found");
    }
}
