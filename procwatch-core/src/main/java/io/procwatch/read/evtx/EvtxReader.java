package io.procwatch.read.evtx;

import io.procwatch.read.EventReader;
import io.procwatch.read.Origin;
import io.procwatch.read.RawRecord;
import io.procwatch.read.RecordSink;

import java.io.IOException;
import java.io.InputStream;

/**
 * Reads Windows XML Event Log (EVTX) files, pure Java, streaming: the 4 KiB file header, then 64 KiB chunks until
 * the stream ends (the header's chunk count undercounts in dirty files), skipping all-zero chunks.
 *
 * <p>Each record becomes a {@link RawRecord} whose fields follow {@link RawRecord}'s names, plus the record header's
 * {@code evtx.RecordId} and {@code evtx.WrittenTime}. Damage is reported, never thrown: a broken record or an
 * abandoned rest of a chunk goes to {@link RecordSink#reject}, a checksum mismatch on data that still parsed to
 * {@link RecordSink#warn}. Only an unreadable stream or a file that is not EVTX throws {@link IOException}
 * (and, in strict CRC mode, a file header whose checksum fails).
 *
 * <pre>{@code
 * try (InputStream in = new BufferedInputStream(Files.newInputStream(path))) {
 *     new EvtxReader().read(in, path.toString(), sink);
 * }
 * }</pre>
 *
 * Not thread-safe: use one instance per thread (instances are cheap and reusable).
 */
public final class EvtxReader implements EventReader {

    private final EvtxOptions options;
    private final EvtxChunkReader chunkReader;
    private final byte[] headerBuffer = new byte[EvtxFileHeader.SIZE];
    private final byte[] chunkBuffer = new byte[EvtxChunkHeader.CHUNK_SIZE];

    /** Warn-and-continue on CRC mismatches, no slack recovery. */
    public EvtxReader() {
        this(EvtxOptions.DEFAULTS);
    }

    public EvtxReader(EvtxOptions options) {
        this.options = options;
        this.chunkReader = new EvtxChunkReader(options);
    }

    @Override
    public void read(InputStream in, String source, RecordSink sink) throws IOException {
        readRecords(in, source, new EvtxRecordVisitor() {
            @Override
            public void record(Origin origin, EvtxRecord record) {
                sink.accept(new RawRecord(origin, record.toFields()));
            }

            @Override
            public void reject(Origin origin, String reason) {
                sink.reject(origin, reason);
            }

            @Override
            public void warn(Origin origin, String message) {
                sink.warn(origin, message);
            }
        });
    }

    /**
     * Like {@link #read}, but hands each parsed record to {@code visitor} for rendering as fields or as a tree.
     *
     * @return statistics of the file
     */
    public EvtxFileStats readRecords(InputStream in, String source, EvtxRecordVisitor visitor) throws IOException {
        int headerLength = in.readNBytes(headerBuffer, 0, EvtxFileHeader.SIZE);
        EvtxFileHeader header;
        int pending = -1;
        try {
            header = EvtxFileHeader.parse(headerBuffer, headerLength, chunkReader.crc());
        } catch (IOException damaged) {
            // A flipped bit or a zeroed header must not cost the records: chunks carry their own signature and
            // checksums, so read on if the first chunk is intact.
            pending = headerLength == EvtxFileHeader.SIZE ? in.readNBytes(chunkBuffer, 0, EvtxChunkHeader.CHUNK_SIZE) : 0;
            if (pending < EvtxChunkHeader.SIZE || !EvtxChunkHeader.hasSignature(chunkBuffer)) {
                throw damaged;
            }
            visitor.warn(new Origin(source, 0), "file header damaged (" + damaged.getMessage()
                    + "); reading its chunks");
            header = new EvtxFileHeader(3, 1, -1, -1, 0, false);
        }
        if (pending < 0 && !header.checksumValid()) {
            if (options.strictCrc()) {
                throw new IOException(source + ": file header CRC32 mismatch (strict CRC mode)");
            }
            visitor.warn(new Origin(source, 0), "file header CRC32 mismatch; reading on");
        }
        chunkReader.beginFile(source, visitor);
        long chunks = 0;
        long zeroChunks = 0;
        long accepted = 0;
        while (true) {
            int length = pending >= 0 ? pending : in.readNBytes(chunkBuffer, 0, EvtxChunkHeader.CHUNK_SIZE);
            pending = -1;
            if (length == 0) {
                break;
            }
            // Signature first: scanning 64 KiB for zeros only pays off for chunks without one.
            if (!EvtxChunkHeader.hasSignature(chunkBuffer) && EvtxChunkHeader.isAllZero(chunkBuffer, length)) {
                zeroChunks++; // preallocated, never written
            } else {
                accepted += chunkReader.read(chunkBuffer, length, chunks);
            }
            chunks++;
            if (length < EvtxChunkHeader.CHUNK_SIZE) {
                break;
            }
        }
        return new EvtxFileStats(header.majorVersion() + "." + header.minorVersion(), header.chunkCount(), chunks,
                zeroChunks, accepted);
    }
}
