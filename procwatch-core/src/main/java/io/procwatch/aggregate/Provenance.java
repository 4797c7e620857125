package io.procwatch.aggregate;

import io.procwatch.normalize.ProcessEvent;
import io.procwatch.read.Origin;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where one contributing event of a match or notable was read, and the ids that find it again in the source log:
 * what lets an analyst go from a result back to the record ({@code procwatch explain} takes {@link #ref()}).
 *
 * @param ref           {@code file[!member…]:N}, as every message prints an origin
 * @param file          the input file
 * @param member        the archive member path ({@code a.zip!dir/x.json!inner.xml} → {@code dir/x.json!inner.xml}),
 *                      or null for a plain file
 * @param line          1-based line (text formats) or record ordinal (EVTX); 0 when unknown
 * @param eventRecordId the event's {@code EventRecordID}, or null
 * @param processGuid   Sysmon's {@code ProcessGuid}, or null (Security 4688 has none)
 * @param processId     the new process's id (decimal), or null
 * @param time          event time, epoch ms UTC
 */
public record Provenance(String ref, String file, String member, long line, String eventRecordId,
                         String processGuid, String processId, long time) {

    /** Earliest first; same time: by reference (file, member, line as text). */
    public static final java.util.Comparator<Provenance> ORDER =
            java.util.Comparator.comparingLong(Provenance::time).thenComparing(Provenance::ref)
                    .thenComparingLong(Provenance::line);

    /** The provenance of an event. */
    public static Provenance of(ProcessEvent e) {
        Origin o = e.getOrigin();
        String source = o == null ? "" : o.source();
        int bang = source.indexOf('!');
        return new Provenance(o == null ? "" : o.toString(),
                bang < 0 ? source : source.substring(0, bang),
                bang < 0 ? null : source.substring(bang + 1),
                o == null ? 0 : o.line(),
                e.get("EventRecordID"), e.get("ProcessGuid"), e.get("ProcessId"), e.getTime());
    }

    /** As written in a notable's {@code evidence} list: absent parts left out. */
    public Map<String, Object> fields() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ref", ref);
        m.put("file", file);
        if (member != null) {
            m.put("member", member);
        }
        if (line > 0) {
            m.put("line", line);
        }
        if (eventRecordId != null) {
            m.put("EventRecordID", eventRecordId);
        }
        if (processGuid != null) {
            m.put("ProcessGuid", processGuid);
        }
        if (processId != null) {
            m.put("ProcessId", processId);
        }
        m.put("time", Notable.ISO_MILLIS.format(Instant.ofEpochMilli(time)));
        return m;
    }
}
