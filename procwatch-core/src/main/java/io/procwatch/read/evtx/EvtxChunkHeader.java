package io.procwatch.read.evtx;

/** The 512-byte header of a 64 KiB chunk ({@code ElfChnk\0}) and the checksums that cover it. */
record EvtxChunkHeader(long firstRecordNumber, long lastRecordNumber, long firstRecordId, long lastRecordId,
                       int lastRecordOffset, int freeSpaceOffset, boolean headerChecksumValid,
                       boolean recordsChecksumValid) {

    static final int SIZE = 512;
    static final int CHUNK_SIZE = 65536;
    private static final byte[] SIGNATURE = {'E', 'l', 'f', 'C', 'h', 'n', 'k', 0};
    private static final byte[] ZEROS = new byte[CHUNK_SIZE];

    static boolean hasSignature(byte[] chunk) {
        return EvtxFileHeader.startsWith(chunk, SIGNATURE);
    }

    static boolean isAllZero(byte[] chunk, int length) {
        return isAllZeroRange(chunk, 0, length);
    }

    static boolean isAllZeroRange(byte[] chunk, int from, int to) {
        // Arrays.mismatch is vectorised; a byte loop over 341 trailing empty chunks showed up in profiles.
        return java.util.Arrays.mismatch(chunk, from, to, ZEROS, 0, to - from) < 0;
    }

    /** @param length bytes of the chunk actually present (less than 64 KiB for a truncated last chunk) */
    static EvtxChunkHeader parse(byte[] chunk, int length, Crc32 crc) {
        int free = LittleEndian.i32(chunk, 48);
        boolean headerValid = crc.ofChunkHeader(chunk) == LittleEndian.i32(chunk, 124);
        // The records checksum covers the records area up to the free space offset.
        boolean recordsValid = free >= SIZE && free <= length
                && crc.of(chunk, SIZE, free - SIZE) == LittleEndian.i32(chunk, 52);
        return new EvtxChunkHeader(LittleEndian.i64(chunk, 8), LittleEndian.i64(chunk, 16),
                LittleEndian.i64(chunk, 24), LittleEndian.i64(chunk, 32),
                LittleEndian.i32(chunk, 44), free, headerValid, recordsValid);
    }

    /** Records the header says the chunk holds, or -1 when the numbers make no sense. */
    long expectedRecords() {
        long n = lastRecordNumber - firstRecordNumber + 1;
        return n > 0 && n < CHUNK_SIZE ? n : -1;
    }
}
