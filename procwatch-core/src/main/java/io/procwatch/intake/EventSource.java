package io.procwatch.intake;

import com.fasterxml.jackson.databind.JsonNode;
import io.procwatch.normalize.EventNormalizer;
import io.procwatch.normalize.FieldTable;
import io.procwatch.normalize.ProcessEvent;
import io.procwatch.normalize.RejectedRecordException;
import io.procwatch.read.EventReader;
import io.procwatch.read.InputListener;
import io.procwatch.read.InputWalker;
import io.procwatch.read.JsonEventReader;
import io.procwatch.read.Origin;
import io.procwatch.read.RawRecord;
import io.procwatch.read.RecordSink;
import io.procwatch.read.evtx.EvtxReader;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The one way events come in: sniff the format → read records → normalize → count. {@code scan}, the engine's
 * {@code parse}/{@code submit…}, {@code serve} (HTTP bodies, HEC envelopes, standard input), {@code explain} and the
 * benchmarks all read through it, so an input means the same events and counts whichever way it arrives.
 *
 * <p>Thread-safe: each call reads with its own reader instances. Its state is its readers' settings and the
 * {@link FieldTable} that numbers the fields of the events it makes (one per source, so one per engine or scan).
 */
public final class EventSource {

    private final InputWalker walker;
    private final EventNormalizer normalizer = new EventNormalizer();

    /** A source reading EVTX with the default reader settings. */
    public EventSource() {
        this(EvtxReader::new);
    }

    /** @param evtxReader supplies the reader for binary EVTX logs */
    public EventSource(Supplier<EventReader> evtxReader) {
        this.walker = new InputWalker(evtxReader);
    }

    /** The table numbering the fields of this source's events. */
    public FieldTable fieldTable() {
        return normalizer.fieldTable();
    }

    /** The files the paths stand for, in reading order: directories recursively, in name order. */
    public List<InputWalker.Input> expand(List<Path> paths, InputListener listener) {
        return InputWalker.expand(paths, listener);
    }

    /**
     * The process events of {@code paths} in reading order, for replays (benchmarks, tests) that want what is
     * usable: rejected records and input problems are left out, not reported.
     */
    public List<ProcessEvent> readProcessEvents(List<Path> paths) {
        List<ProcessEvent> out = new ArrayList<>();
        readAll(paths, new EventSink() {
            @Override
            public void processEvent(ProcessEvent e) {
                out.add(e);
            }

            @Override
            public void rejected(Origin origin, String reason) {
                // left out: see above
            }
        }, new InputListener() {
        });
        return out;
    }

    /** Reads every path in order (see {@link InputWalker}); problems with inputs go to the listener. */
    public IntakeCounts readAll(List<Path> paths, EventSink sink, InputListener listener) {
        IntakeCounts total = IntakeCounts.NONE;
        for (InputWalker.Input input : expand(paths, listener)) {
            total = total.plus(read(input, sink, listener));
        }
        return total;
    }

    /** Reads one file (with any containers inside it). */
    public IntakeCounts read(InputWalker.Input input, EventSink sink, InputListener listener) {
        Counting c = new Counting(sink);
        walker.read(input, c, listener);
        return c.counts();
    }

    /**
     * Reads a stream of any accepted format (JSON in its shapes, Windows event XML, EVTX, gzip and archives), as
     * {@code scan} reads a file named on its command line. A stream that is no event data, or that breaks off, is
     * one rejected record ({@code source:1} and {@code source:0}); an empty one has no records. The stream is read
     * record by record as it arrives (standard input) and not closed.
     */
    public IntakeCounts readStream(InputStream in, String source, EventSink sink) {
        Counting c = new Counting(sink);
        try {
            walker.readStream(in, source, true, c, new InputListener() {
                @Override
                public void inputFailed(String failed, String reason) {
                    c.reject(new Origin(source, 1), reason);
                }
            });
        } catch (IOException e) {
            c.reject(new Origin(source, 0), "unreadable: " + e.getMessage());
        }
        return c.counts();
    }

    /** {@link #readStream} over a text (a request body, a HEC event string). */
    public IntakeCounts readText(String text, String source, EventSink sink) {
        return readStream(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), source, sink);
    }

    /**
     * One event already parsed to a JSON object (a HEC envelope's {@code event}): flattened from the tree in any of
     * the JSON shapes, not written back to text and parsed again.
     */
    public IntakeCounts readJson(JsonNode object, String source, EventSink sink) {
        Counting c = new Counting(sink);
        JsonEventReader.readObject(object, new Origin(source, 1), c);
        return c.counts();
    }

    /** One event given as Windows field names (see {@link RawRecord}); the map is copied. */
    public IntakeCounts readFields(Map<String, String> windowsFields, String source, EventSink sink) {
        Counting c = new Counting(sink);
        c.accept(new RawRecord(new Origin(source, 0), new java.util.HashMap<>(windowsFields)));
        return c.counts();
    }

    /** Normalizes what a reader finds and counts every record exactly once. */
    private final class Counting implements RecordSink {
        private final EventSink sink;
        private long process;
        private long other;
        private long rejected;

        Counting(EventSink sink) {
            this.sink = sink;
        }

        @Override
        public void accept(RawRecord record) {
            ProcessEvent e;
            try {
                e = normalizer.normalize(record);
            } catch (RejectedRecordException ex) {
                reject(record.origin(), ex.getMessage());
                return;
            }
            if (e == null) {
                other++;
                sink.otherEvent(record.origin(), record);
            } else {
                process++;
                sink.processEvent(e);
            }
        }

        @Override
        public boolean wants(String eventId, String channel, String provider) {
            return sink.needsOtherRecords() || EventNormalizer.isProcessCreation(eventId, channel, provider);
        }

        @Override
        public void skipped(Origin origin) {
            other++;
            sink.otherEvent(origin, null);
        }

        @Override
        public void reject(Origin origin, String reason) {
            rejected++;
            sink.rejected(origin, reason);
        }

        @Override
        public void warn(Origin origin, String message) {
            sink.warning(origin, message);
        }

        IntakeCounts counts() {
            return new IntakeCounts(process + other + rejected, process, other, rejected);
        }
    }
}
