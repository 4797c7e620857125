package io.procwatch.read.evtx;

import io.procwatch.read.Origin;
import io.procwatch.read.RawRecord;
import io.procwatch.read.RecordSink;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Records everything a reader reports, for assertions. */
final class CollectingSink implements RecordSink {

    final List<RawRecord> accepted = new ArrayList<>();
    final List<String> rejected = new ArrayList<>();
    final List<String> warnings = new ArrayList<>();

    static CollectingSink read(byte[] file, EvtxOptions options) throws IOException {
        CollectingSink sink = new CollectingSink();
        new EvtxReader(options).read(new ByteArrayInputStream(file), "test.evtx", sink);
        return sink;
    }

    @Override
    public void accept(RawRecord record) {
        accepted.add(record);
    }

    @Override
    public void reject(Origin origin, String reason) {
        rejected.add(origin + " " + reason);
    }

    @Override
    public void warn(Origin origin, String message) {
        warnings.add(origin + " " + message);
    }

    /** The CommandLine field of each accepted record, which the test builder sets to "cmd.exe /c echo N". */
    List<String> commandLines() {
        return accepted.stream().map(r -> r.get("CommandLine")).toList();
    }
}
