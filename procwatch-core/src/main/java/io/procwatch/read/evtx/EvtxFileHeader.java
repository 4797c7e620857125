package io.procwatch.read.evtx;

import java.io.IOException;

/**
 * The 4 KiB file header ({@code ElfFile\0}). Only the signature and version are trusted; the chunk count
 * undercounts in dirty files, so chunks are found by reading to the end of the stream.
 */
record EvtxFileHeader(int majorVersion, int minorVersion, int chunkCount, long nextRecordId, int flags,
                      boolean checksumValid) {

    static final int SIZE = 4096;
    private static final byte[] SIGNATURE = {'E', 'l', 'f', 'F', 'i', 'l', 'e', 0};

    static EvtxFileHeader parse(byte[] b, int length, Crc32 crc) throws IOException {
        if (length < 128 || !startsWith(b, SIGNATURE)) {
            throw new IOException("not an EVTX file: no ElfFile signature");
        }
        int minor = LittleEndian.u16(b, 36);
        int major = LittleEndian.u16(b, 38);
        if (major != 3) {
            throw new IOException("unsupported EVTX version " + major + "." + minor);
        }
        boolean valid = crc.of(b, 0, 120) == LittleEndian.i32(b, 124);
        return new EvtxFileHeader(major, minor, LittleEndian.u16(b, 42), LittleEndian.i64(b, 24),
                LittleEndian.i32(b, 120), valid);
    }

    static boolean startsWith(byte[] b, byte[] signature) {
        for (int i = 0; i < signature.length; i++) {
            if (b[i] != signature[i]) {
                return false;
            }
        }
        return true;
    }
}
