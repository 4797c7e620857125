package io.procwatch.read.evtx;

import io.procwatch.read.InputListener;
import io.procwatch.read.InputWalker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static io.procwatch.read.evtx.EvtxTestFileBuilder.event;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An EVTX file whose 4 KiB header is damaged (a flipped bit in the signature or version) or zeroed still gives all
 * records of its intact chunks, found while walking a directory, with one warning naming the damage.
 */
class EvtxDamagedHeaderTest {

    private static byte[] threeChunks() {
        return new EvtxTestFileBuilder()
                .chunk(event(1), event(2), event(3))
                .chunk(event(4), event(5), event(6))
                .chunk(event(7), event(8), event(9))
                .build().bytes;
    }

    private static CollectingSink walk(Path dir, List<String> failed) {
        CollectingSink sink = new CollectingSink();
        new InputWalker(EvtxReader::new).walk(List.of(dir), sink, new InputListener() {
            @Override
            public void inputFailed(String source, String reason) {
                failed.add(source + ": " + reason);
            }

            @Override
            public void inputSkipped(String source, String reason) {
                failed.add(source + ": skipped: " + reason);
            }
        });
        return sink;
    }

    @Test
    void flippedSignatureBitFlippedVersionAndZeroedHeaderLoseNoRecord(@TempDir Path dir) throws Exception {
        byte[] signature = threeChunks();
        signature[3] ^= 0x01;                       // "ElfFile" -> "ElfGile"
        byte[] version = threeChunks();
        version[38] ^= 0x04;                        // major version 3 -> 7
        byte[] zeroed = threeChunks();
        Arrays.fill(zeroed, 0, EvtxTestFileBuilder.FILE_HEADER, (byte) 0);
        Files.write(dir.resolve("a-signature.evtx"), signature);
        Files.write(dir.resolve("b-version.evtx"), version);
        Files.write(dir.resolve("c-zeroed.evtx"), zeroed);
        List<String> failed = new ArrayList<>();
        CollectingSink sink = walk(dir, failed);
        assertEquals(List.of(), failed);
        assertEquals(27, sink.accepted.size(), sink.warnings::toString);
        assertEquals(3, sink.warnings.size(), sink.warnings::toString);
        assertTrue(sink.warnings.stream().allMatch(w -> w.contains("file header damaged")), sink.warnings::toString);
        assertTrue(sink.warnings.get(0).contains("no ElfFile signature"), sink.warnings::toString);
        assertTrue(sink.warnings.get(1).contains("unsupported EVTX version 7"), sink.warnings::toString);
        assertEquals(List.of(), sink.rejected);
    }

    @Test
    void aHeaderWithoutChunksBehindItIsStillRefused(@TempDir Path dir) throws Exception {
        byte[] junk = new byte[EvtxTestFileBuilder.FILE_HEADER + EvtxTestFileBuilder.CHUNK];
        junk[0] = 1;
        Files.write(dir.resolve("junk.bin"), junk);
        List<String> failed = new ArrayList<>();
        CollectingSink sink = walk(dir, failed);
        assertEquals(0, sink.accepted.size());
        assertEquals(1, failed.size(), failed::toString);
        assertTrue(failed.get(0).contains("skipped: not event data"), failed::toString);
    }
}
