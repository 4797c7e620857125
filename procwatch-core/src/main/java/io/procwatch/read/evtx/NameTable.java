package io.procwatch.read.evtx;


/**
 * Element and attribute names of the current chunk, decoded once per offset. A name is stored once per chunk
 * (next-offset, hash, character count, UTF-16 characters, NUL) and referenced by its chunk offset afterwards.
 */
final class NameTable {

    private final String[] byOffset = new String[EvtxChunkHeader.CHUNK_SIZE];
    // A slot is valid only if stamped with the current chunk's generation: O(1) reset instead of clearing 64K slots.
    private final int[] generationOf = new int[EvtxChunkHeader.CHUNK_SIZE];
    private int generation;
    private byte[] chunk;

    void reset(byte[] chunkBuffer) {
        chunk = chunkBuffer;
        generation++;
    }

    String nameAt(int offset) {
        if (offset < 0 || offset > EvtxChunkHeader.CHUNK_SIZE - 8) {
            throw new EvtxCorruptionException("name offset " + offset + " outside the chunk");
        }
        String name = byOffset[offset];
        if (name == null || generationOf[offset] != generation) {
            int chars = LittleEndian.u16(chunk, offset + 6);
            if (offset + 8 + chars * 2 > EvtxChunkHeader.CHUNK_SIZE) {
                throw new EvtxCorruptionException("name at " + offset + " runs past the chunk");
            }
            name = BinXmlValueRenderer.utf16(chunk, offset + 8, chars * 2);
            byOffset[offset] = name;
            generationOf[offset] = generation;
        }
        return name;
    }

    /** Bytes a name occupies when written inline. */
    int storedSize(int offset) {
        return 8 + LittleEndian.u16(chunk, offset + 6) * 2 + 2;
    }
}
