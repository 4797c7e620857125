package io.procwatch.read.evtx;

import java.util.zip.CRC32;

/** The RFC 1952 CRC-32 EVTX uses for its header and record checksums (the JDK's, which is hardware-accelerated). */
final class Crc32 {

    private final CRC32 crc = new CRC32();

    int of(byte[] b, int off, int len) {
        crc.reset();
        crc.update(b, off, len);
        return (int) crc.getValue();
    }

    /** The chunk header checksum skips bytes 120..127, where the checksum itself lives. */
    int ofChunkHeader(byte[] chunk) {
        crc.reset();
        crc.update(chunk, 0, 120);
        crc.update(chunk, 128, 384);
        return (int) crc.getValue();
    }
}
