package io.procwatch.normalize;

import io.procwatch.read.Origin;

import java.util.Collections;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A process creation (Sysmon EID 1 or Security 4688), the fact every detection matches on.
 *
 * <p>Fields are reachable under their Windows names ({@code CommandLine}, {@code Image}, {@code ParentImage}, …;
 * a 4688 event is mapped onto the Sysmon names) and under their Splunk CIM Endpoint.Processes names
 * ({@code dest}, {@code user}, {@code process}, {@code parent_process_name}, …). The CIM names are a view,
 * derived on {@link #get} through {@code cim.map}: most events never match a rule, so nothing is stored for them.
 * A field the event did not carry is absent ({@code null}), never an empty placeholder.
 *
 * <p>In DRL, compare through {@link #lc(String)}: Sigma and Splunk match strings case-insensitively, so
 * {@code lc("CommandLine") contains "-nographic"} is the project's idiom, with needles written in lower case.
 *
 * <p>Instances are immutable once built, except for the lower-case cache, so one event may be shared by
 * several rules; not thread-safe for concurrent {@link #lc} calls from different threads (a session runs
 * on one thread).
 */
public final class ProcessEvent {

    /** The CIM view (immutable data, shared by every event). */
    private static final FieldMapping CIM = FieldMapping.load("cim.map");

    private final LogSource logSource;
    private final int eventId;
    private final long time;
    private final Origin origin;
    private final Map<String, String> fields;
    private Map<String, String> lowerCache;

    public ProcessEvent(LogSource logSource, int eventId, long time, Origin origin, Map<String, String> fields) {
        this.logSource = logSource;
        this.eventId = eventId;
        this.time = time;
        this.origin = origin;
        this.fields = fields;
    }

    /** Which log the event came from. */
    public LogSource getLogSource() {
        return logSource;
    }

    /** True for Sysmon events: what Splunk's {@code `sysmon`} macro selects. */
    public boolean isSysmon() {
        return logSource == LogSource.SYSMON;
    }

    /** 1 for Sysmon, 4688 for Security. */
    public int getEventId() {
        return eventId;
    }

    /** Event time, epoch milliseconds UTC; the CEP timestamp. */
    public long getTime() {
        return time;
    }

    /** Where the event was read. */
    public Origin getOrigin() {
        return origin;
    }

    /** The value of a field by Windows or CIM name, or {@code null} when the event did not carry it. */
    public String get(String name) {
        String v = fields.get(name);
        if (v == null) {
            FieldMapping.Row cim = CIM.row(name);
            if (cim != null) {
                v = cim.valueFrom(fields);
            }
        }
        return v;
    }

    /** True when the event carries the field (possibly empty), under its Windows or CIM name. */
    public boolean has(String name) {
        return fields.containsKey(name) || get(name) != null;
    }

    /** The field lower-cased (Locale.ROOT), or {@code null} when absent; computed once per field. */
    public String lc(String name) {
        if (lowerCache == null) {
            lowerCache = new HashMap<>(8);
        }
        String cached = lowerCache.get(name);
        if (cached == null) {
            String v = get(name);
            if (v == null) {
                return null;
            }
            cached = v.toLowerCase(Locale.ROOT);
            lowerCache.put(name, cached);
        }
        return cached;
    }

    /** The stored fields, read-only: Windows names and constants, without the derived CIM view. */
    public Map<String, String> getFields() {
        return Collections.unmodifiableMap(fields);
    }

    /** Every field including the CIM view, for display (a new map per call). */
    public Map<String, String> allFields() {
        Map<String, String> all = new java.util.TreeMap<>(fields);
        for (FieldMapping.Row row : CIM.rows()) {
            String v = get(row.target());
            if (v != null) {
                all.put(row.target(), v);
            }
        }
        return all;
    }

    @Override
    public String toString() {
        return logSource + "/" + eventId + "@" + origin + " " + fields.get("CommandLine");
    }
}
