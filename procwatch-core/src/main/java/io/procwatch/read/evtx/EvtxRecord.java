package io.procwatch.read.evtx;

import java.util.Map;

/**
 * One parsed event record, handed to an {@link EvtxRecordVisitor}. It points into the reader's chunk buffer, so it
 * is only valid during the visitor call: render it there with {@link #toFields()} or {@link #toElement()}.
 */
public final class EvtxRecord {

    /** Field names for the record header, which exported logs renumber and re-time independently of System. */
    public static final String RECORD_ID_FIELD = "evtx.RecordId";
    public static final String WRITTEN_TIME_FIELD = "evtx.WrittenTime";
    public static final String RECOVERED_FIELD = "evtx.Recovered";

    private final long recordId;
    private final long writtenTicks;
    private final boolean recovered;
    private final BinXmlNode[] nodes;
    private final BinXmlEmitter emitter;
    private final EvtxFieldFlattener flattener;

    EvtxRecord(long recordId, long writtenTicks, boolean recovered, BinXmlNode[] nodes, BinXmlEmitter emitter,
               EvtxFieldFlattener flattener) {
        this.recordId = recordId;
        this.writtenTicks = writtenTicks;
        this.recovered = recovered;
        this.nodes = nodes;
        this.emitter = emitter;
        this.flattener = flattener;
    }

    /** The record header's identifier (may differ from {@code System/EventRecordID}). */
    public long recordId() {
        return recordId;
    }

    /** The record header's written time, ISO-8601 with 7 fractional digits and {@code Z}. */
    public String writtenTime() {
        return EvtxTime.fileTime(writtenTicks);
    }

    /** True for a record recovered from a chunk's slack space. */
    public boolean recovered() {
        return recovered;
    }

    /** The event flattened to {@link io.procwatch.read.RawRecord} field names, plus the record header fields. */
    public Map<String, String> toFields() {
        Map<String, String> fields = flattener.begin();
        emitter.emit(nodes, null, flattener);
        fields.put(RECORD_ID_FIELD, Long.toString(recordId));
        fields.put(WRITTEN_TIME_FIELD, writtenTime());
        if (recovered) {
            fields.put(RECOVERED_FIELD, "true");
        }
        return fields;
    }

    /** Replays the rendered event to a handler. */
    void emit(BinXmlHandler handler) {
        emitter.emit(nodes, null, handler);
    }

    /** The event as an element tree ({@code <Event>} at the root). */
    public EvtxElement toElement() {
        EvtxTreeBuilder builder = new EvtxTreeBuilder();
        emitter.emit(nodes, null, builder);
        if (builder.root() == null) {
            throw new EvtxCorruptionException("record " + recordId + " holds no element");
        }
        return builder.root();
    }
}
