package io.procwatch.read.evtx;

import io.procwatch.read.Origin;

import java.util.Arrays;

/**
 * Reads the records of one 64 KiB chunk. A record whose framing is broken (no signature, a size past the chunk,
 * a trailing size copy that disagrees, zeros where the header promises records) ends the chunk with one
 * reported rejection; a record whose BinXML is broken is rejected alone, since its size still locates the next.
 */
final class EvtxChunkReader {

    private static final int RECORD_SIGNATURE = 0x00002a2a;
    private static final int RECORD_HEADER_SIZE = 24;
    private static final int MIN_RECORD_SIZE = RECORD_HEADER_SIZE + 4;

    private final EvtxOptions options;
    private final Crc32 crc = new Crc32();
    private final NameTable names = new NameTable();
    private final TemplateCache templates = new TemplateCache();
    private final BinXmlParser parser = new BinXmlParser(names, templates);
    private final BinXmlEmitter emitter = new BinXmlEmitter(parser);
    private final EvtxFieldFlattener flattener = new EvtxFieldFlattener();

    private String source;
    private long ordinal;
    private EvtxRecordVisitor visitor;

    EvtxChunkReader(EvtxOptions options) {
        this.options = options;
    }

    void beginFile(String fileSource, EvtxRecordVisitor fileVisitor) {
        source = fileSource;
        visitor = fileVisitor;
        ordinal = 0;
    }

    Crc32 crc() {
        return crc;
    }

    /** The origin the next record (or rejection) gets; each record and each rejection takes one ordinal. */
    private Origin nextOrigin() {
        return new Origin(source, ++ordinal);
    }

    /**
     * @param chunk  the chunk bytes; a truncated chunk is zero-filled past {@code length}
     * @param length bytes actually read (65536 unless the file ends early)
     * @param number 0-based chunk number in the file
     * @return the number of records accepted from the chunk
     */
    int read(byte[] chunk, int length, long number) {
        String where = "chunk " + number + " (file offset " + (EvtxFileHeader.SIZE + number * EvtxChunkHeader.CHUNK_SIZE) + ")";
        if (!EvtxChunkHeader.hasSignature(chunk)) {
            visitor.reject(nextOrigin(), where + ": no ElfChnk signature, chunk skipped");
            return 0;
        }
        if (length < EvtxChunkHeader.SIZE) {
            visitor.reject(nextOrigin(), where + ": truncated to " + length + " bytes, chunk skipped");
            return 0;
        }
        if (length < EvtxChunkHeader.CHUNK_SIZE) {
            Arrays.fill(chunk, length, EvtxChunkHeader.CHUNK_SIZE, (byte) 0);
            visitor.reject(nextOrigin(), where + ": truncated to " + length + " of 65536 bytes; records that fit are read");
        }
        EvtxChunkHeader header = EvtxChunkHeader.parse(chunk, length, crc);
        String crcProblem = !header.headerChecksumValid() ? "chunk header CRC32 mismatch"
                : !header.recordsChecksumValid() ? "event records CRC32 mismatch" : null;
        boolean rejectAll = crcProblem != null && options.strictCrc();
        if (crcProblem != null && !rejectAll) {
            visitor.warn(new Origin(source, ordinal + 1), where + ": " + crcProblem + "; records read anyway");
        }
        names.reset(chunk);
        templates.clear();
        parser.reset(chunk);
        emitter.reset(chunk);

        int free = header.freeSpaceOffset();
        int end = free >= EvtxChunkHeader.SIZE && free <= length ? free : length;
        int pos = EvtxChunkHeader.SIZE;
        int found = 0;
        int accepted = 0;
        boolean abandoned = false;
        while (pos + MIN_RECORD_SIZE <= end) {
            String problem = framingProblem(chunk, pos, end, length);
            if (problem != null) {
                long missing = header.expectedRecords() - found;
                if (problem.isEmpty()) {
                    if (missing <= 0) {
                        break; // zeros after the last promised record: ordinary slack
                    }
                    problem = "zeroed area at chunk offset " + pos + " where the header promises " + missing
                            + " more record(s)";
                } else if (missing > 0) {
                    problem += " (" + missing + " record(s) lost, per the chunk header)";
                }
                visitor.reject(nextOrigin(), where + ": " + problem + "; rest of chunk abandoned");
                abandoned = true;
                break;
            }
            int size = LittleEndian.i32(chunk, pos + 4);
            found++;
            if (readRecord(chunk, pos, size, false, rejectAll ? where + ": " + crcProblem + " (strict CRC mode)" : null)) {
                accepted++;
            }
            pos += size;
        }
        long expected = header.expectedRecords();
        if (!abandoned && expected > found && pos + MIN_RECORD_SIZE > end) {
            visitor.reject(nextOrigin(), where + ": header lists " + expected + " records but only " + found
                    + " fit before the free space offset " + free);
        }
        if (options.recoverSlack()) {
            accepted += recoverSlack(chunk, pos, length);
        }
        return accepted;
    }

    /** Why no record can be read at {@code pos}: null when it can, "" for an all-zero rest, else a reason. */
    private static String framingProblem(byte[] chunk, int pos, int end, int length) {
        if (LittleEndian.i32(chunk, pos) != RECORD_SIGNATURE) {
            return EvtxChunkHeader.isAllZeroRange(chunk, pos, end) ? ""
                    : "no record signature at chunk offset " + pos;
        }
        int size = LittleEndian.i32(chunk, pos + 4);
        if (size < MIN_RECORD_SIZE || size > length - pos) {
            return "record size " + Integer.toUnsignedString(size) + " at chunk offset " + pos + " runs past the chunk";
        }
        int copy = LittleEndian.i32(chunk, pos + size - 4);
        if (copy != size) {
            return "record at chunk offset " + pos + " has size " + size + " but trailing size copy " + copy;
        }
        return null;
    }

    /** Parses and hands over one framed record; returns true when it was accepted. */
    private boolean readRecord(byte[] chunk, int pos, int size, boolean recovered, String rejectReason) {
        Origin origin = nextOrigin();
        long recordId = LittleEndian.i64(chunk, pos + 8);
        if (rejectReason != null) {
            visitor.reject(origin, "record id " + recordId + ": " + rejectReason);
            return false;
        }
        try {
            BinXmlNode[] nodes = parser.parseDocument(pos + RECORD_HEADER_SIZE, pos + size - 4, true);
            EvtxRecord record = new EvtxRecord(recordId, LittleEndian.i64(chunk, pos + 16), recovered, nodes,
                    emitter, flattener);
            visitor.record(origin, record);
            return true;
        } catch (EvtxCorruptionException | IndexOutOfBoundsException e) {
            visitor.reject(origin, "record id " + recordId + " at chunk offset " + pos + ": " + e.getMessage());
            return false;
        }
    }

    /** Looks for framed records in the unused rest of the chunk (only when asked: they may be stale or partial). */
    private int recoverSlack(byte[] chunk, int from, int length) {
        int accepted = 0;
        int pos = from;
        while (pos + MIN_RECORD_SIZE <= length) {
            if (LittleEndian.i32(chunk, pos) == RECORD_SIGNATURE && framingProblem(chunk, pos, length, length) == null) {
                int size = LittleEndian.i32(chunk, pos + 4);
                if (readRecord(chunk, pos, size, true, null)) {
                    accepted++;
                }
                pos += size;
            } else {
                pos += 8; // records are 8-byte aligned
            }
        }
        return accepted;
    }
}
