package io.procwatch.read.evtx;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Element and attribute names of the current chunk, decoded once per offset. A name is stored once per chunk
 * (next-offset, hash, character count, UTF-16 characters, NUL) and referenced by its chunk offset afterwards.
 */
final class NameTable {

    private final String[] byOffset = new String[EvtxChunkHeader.CHUNK_SIZE];
    private byte[] chunk;

    void reset(byte[] chunkBuffer) {
        chunk = chunkBuffer;
        Arrays.fill(byOffset, null);
    }

    String nameAt(int offset) {
        if (offset < 0 || offset > EvtxChunkHeader.CHUNK_SIZE - 8) {
            throw new EvtxCorruptionException("name offset " + offset + " outside the chunk");
        }
        String name = byOffset[offset];
        if (name == null) {
            int chars = LittleEndian.u16(chunk, offset + 6);
            if (offset + 8 + chars * 2 > EvtxChunkHeader.CHUNK_SIZE) {
                throw new EvtxCorruptionException("name at " + offset + " runs past the chunk");
            }
            name = new String(chunk, offset + 8, chars * 2, StandardCharsets.UTF_16LE);
            byOffset[offset] = name;
        }
        return name;
    }

    /** Bytes a name occupies when written inline. */
    int storedSize(int offset) {
        return 8 + LittleEndian.u16(chunk, offset + 6) * 2 + 2;
    }
}
