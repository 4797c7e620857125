package io.procwatch.read.evtx;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * Writes small, valid EVTX files for tests, so corruption can be injected at known offsets. Every record
 * instantiates one template:
 * {@code <Event><System><EventID>%0</EventID><Computer>%1</Computer></System>
 * <EventData><Data Name="CommandLine">%2</Data></EventData></Event>}; the first record of each chunk defines
 * it inline, later records reference it by offset.
 */
final class EvtxTestFileBuilder {

    static final int FILE_HEADER = 4096;
    static final int CHUNK = 65536;

    /** One event: EventID, Computer, CommandLine. */
    record Event(int eventId, String computer, String commandLine) {
    }

    /** A built file and where things landed in it (file offsets). */
    static final class Built {
        final byte[] bytes;
        final List<List<Integer>> recordOffsets;
        final List<List<Integer>> templateOffsetFields;

        Built(byte[] bytes, List<List<Integer>> recordOffsets, List<List<Integer>> templateOffsetFields) {
            this.bytes = bytes;
            this.recordOffsets = recordOffsets;
            this.templateOffsetFields = templateOffsetFields;
        }

        int record(int chunk, int index) {
            return recordOffsets.get(chunk).get(index);
        }

        /** File offset of the 4-byte template definition offset inside a record's template instance. */
        int templateOffsetField(int chunk, int index) {
            return templateOffsetFields.get(chunk).get(index);
        }

        int chunkStart(int chunk) {
            return FILE_HEADER + chunk * CHUNK;
        }

        void putInt(int fileOffset, int value) {
            ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(fileOffset, value);
        }

        void putLong(int fileOffset, long value) {
            ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(fileOffset, value);
        }

        /** Recomputes file header and chunk checksums, so a test isolates the damage it injects. */
        Built fixChecksums() {
            ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            b.putInt(124, crc(bytes, 0, 120));
            for (int c = FILE_HEADER; c + CHUNK <= bytes.length; c += CHUNK) {
                if (bytes[c] != 'E') {
                    continue;
                }
                int free = b.getInt(c + 48);
                if (free >= 512 && free <= CHUNK) {
                    b.putInt(c + 52, crc(bytes, c + 512, free - 512));
                }
                CRC32 crc = new CRC32();
                crc.update(bytes, c, 120);
                crc.update(bytes, c + 128, 384);
                b.putInt(c + 124, (int) crc.getValue());
            }
            return this;
        }
    }

    private final List<List<Event>> chunks = new ArrayList<>();
    private final List<String> dataNames = new ArrayList<>();
    private int trailingZeroChunks;

    EvtxTestFileBuilder chunk(Event... events) {
        return chunk("CommandLine", events);
    }

    /** A chunk whose template names the EventData value {@code dataName} (the template GUID stays the same). */
    EvtxTestFileBuilder chunk(String dataName, Event... events) {
        chunks.add(List.of(events));
        dataNames.add(dataName);
        return this;
    }

    EvtxTestFileBuilder zeroChunks(int count) {
        trailingZeroChunks = count;
        return this;
    }

    static Event event(int id) {
        return new Event(1, "HOST" + id, "cmd.exe /c echo " + id);
    }

    Built build() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<List<Integer>> recordOffsets = new ArrayList<>();
        List<List<Integer>> templateFields = new ArrayList<>();
        long recordId = 1;
        byte[] chunkBytes = new byte[0];
        out.writeBytes(new byte[FILE_HEADER]);
        for (int c = 0; c < chunks.size(); c++) {
            ChunkWriter writer = new ChunkWriter(recordId, dataNames.get(c));
            List<Integer> offsets = new ArrayList<>();
            List<Integer> fields = new ArrayList<>();
            for (Event event : chunks.get(c)) {
                int fileBase = FILE_HEADER + c * CHUNK;
                offsets.add(fileBase + writer.pos());
                fields.add(fileBase + writer.writeRecord(recordId++, event));
            }
            chunkBytes = writer.finish();
            out.writeBytes(chunkBytes);
            recordOffsets.add(offsets);
            templateFields.add(fields);
        }
        for (int i = 0; i < trailingZeroChunks; i++) {
            out.writeBytes(new byte[CHUNK]);
        }
        byte[] bytes = out.toByteArray();
        ByteBuffer h = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        h.put(0, "ElfFile\0".getBytes(StandardCharsets.US_ASCII));
        h.putLong(8, 0);
        h.putLong(16, chunks.size() - 1);
        h.putLong(24, recordId);
        h.putInt(32, 128);
        h.putShort(36, (short) 2);
        h.putShort(38, (short) 3);
        h.putShort(40, (short) 4096);
        h.putShort(42, (short) chunks.size());
        return new Built(bytes, recordOffsets, templateFields).fixChecksums();
    }

    static int crc(byte[] b, int off, int len) {
        CRC32 crc = new CRC32();
        crc.update(b, off, len);
        return (int) crc.getValue();
    }

    /** Writes one chunk: header, then records whose BinXML names and template are shared within the chunk. */
    private static final class ChunkWriter {
        private final ByteBuffer b = ByteBuffer.allocate(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
        private final Map<String, Integer> names = new HashMap<>();
        private final long firstRecordId;
        private final String dataName;
        private int templateOffset = -1;
        private int lastRecord;
        private int records;

        ChunkWriter(long firstRecordId, String dataName) {
            this.firstRecordId = firstRecordId;
            this.dataName = dataName;
            b.position(512);
        }

        int pos() {
            return b.position();
        }

        /** @return chunk offset of the template definition offset field */
        int writeRecord(long recordId, Event event) {
            int start = b.position();
            lastRecord = start;
            b.putInt(0x00002a2a).putInt(0).putLong(recordId).putLong(132_000_000_000_000_000L + recordId * 10_000_000L);
            b.put((byte) 0x0f).put((byte) 1).put((byte) 1).put((byte) 0);
            b.put((byte) 0x0c).put((byte) 1).putInt(1);
            int field = b.position();
            if (templateOffset < 0) {
                templateOffset = field + 4;
                b.putInt(templateOffset);
                writeTemplateDefinition();
            } else {
                b.putInt(templateOffset);
            }
            byte[] computer = event.computer().getBytes(StandardCharsets.UTF_16LE);
            byte[] commandLine = event.commandLine().getBytes(StandardCharsets.UTF_16LE);
            b.putInt(3);
            b.putShort((short) 2).put((byte) 0x06).put((byte) 0);
            b.putShort((short) computer.length).put((byte) 0x01).put((byte) 0);
            b.putShort((short) commandLine.length).put((byte) 0x01).put((byte) 0);
            b.putShort((short) event.eventId()).put(computer).put(commandLine);
            b.put((byte) 0x00); // end of document
            while ((b.position() - start + 4) % 8 != 0) {
                b.put((byte) 0);
            }
            int size = b.position() - start + 4;
            b.putInt(size);
            b.putInt(start + 4, size);
            records++;
            return field;
        }

        private void writeTemplateDefinition() {
            b.putInt(0); // next definition
            b.put(new byte[] {0x5f, 0x38, 0x70, 0x57, 0x2a, (byte) 0xc2, (byte) 0xe0, 0x43,
                (byte) 0xbf, 0x4c, 0x06, (byte) 0xf5, 0x69, (byte) 0x8f, (byte) 0xfb, (byte) 0xd9});
            int sizeField = b.position();
            b.putInt(0);
            int bodyStart = b.position();
            b.put((byte) 0x0f).put((byte) 1).put((byte) 1).put((byte) 0);
            int event = openElement("Event");
            int system = openElement("System");
            int eventId = openElement("EventID");
            substitution(0, 0x06);
            closeElement(eventId);
            int computer = openElement("Computer");
            substitution(1, 0x01);
            closeElement(computer);
            closeElement(system);
            int eventData = openElement("EventData");
            int data = openElementWithAttribute("Data", "Name", dataName);
            substitution(2, 0x01);
            closeElement(data);
            closeElement(eventData);
            closeElement(event);
            b.put((byte) 0x00);
            b.putInt(sizeField, b.position() - bodyStart);
        }

        private int openElement(String name) {
            b.put((byte) 0x01).putShort((short) -1);
            int sizeField = b.position();
            b.putInt(0);
            name(name);
            b.put((byte) 0x02);
            return sizeField;
        }

        private int openElementWithAttribute(String name, String attribute, String value) {
            b.put((byte) 0x41).putShort((short) -1);
            int sizeField = b.position();
            b.putInt(0);
            name(name);
            int listField = b.position();
            b.putInt(0);
            b.put((byte) 0x06);
            name(attribute);
            byte[] text = value.getBytes(StandardCharsets.UTF_16LE);
            b.put((byte) 0x05).put((byte) 0x01).putShort((short) value.length()).put(text);
            b.putInt(listField, b.position() - listField - 4);
            b.put((byte) 0x02);
            return sizeField;
        }

        private void closeElement(int sizeField) {
            b.put((byte) 0x04);
            b.putInt(sizeField, b.position() - sizeField - 4);
        }

        private void substitution(int index, int type) {
            b.put((byte) 0x0e).putShort((short) index).put((byte) type);
        }

        /** Names are written inline at first use, then referenced by offset. */
        private void name(String name) {
            Integer known = names.get(name);
            if (known != null) {
                b.putInt(known);
                return;
            }
            int offset = b.position() + 4;
            names.put(name, offset);
            b.putInt(offset);
            b.putInt(0).putShort((short) 0).putShort((short) name.length());
            b.put(name.getBytes(StandardCharsets.UTF_16LE)).putShort((short) 0);
        }

        byte[] finish() {
            int free = b.position();
            b.put(0, "ElfChnk\0".getBytes(StandardCharsets.US_ASCII));
            b.putLong(8, firstRecordId);
            b.putLong(16, firstRecordId + records - 1);
            b.putLong(24, firstRecordId);
            b.putLong(32, firstRecordId + records - 1);
            b.putInt(40, 128);
            b.putInt(44, lastRecord);
            b.putInt(48, free);
            return b.array();
        }
    }
}
