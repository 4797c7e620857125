package io.procwatch.normalize;

import io.procwatch.read.Origin;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;

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
 * Java code that reads one field of many events resolves its slot once per table ({@link #fieldTable()},
 * {@link FieldTable#of}) and calls {@link #get(int)} / {@link #lc(int)}.
 *
 * <p>Instances are immutable once built, except for the lower-case cache and the {@link #setPrepared prepared}
 * slot, so one event may be shared by several rules; not thread-safe for concurrent calls from different
 * threads (a session runs on one thread; an event prepared on another thread reaches it through a queue).
 */
public final class ProcessEvent {

    /** The table that numbered this event's fields (one per engine or scan). */
    private final FieldTable table;
    private final LogSource logSource;
    private final int eventId;
    private final long time;
    private final Origin origin;
    /** Values by slot; null where the event has no such field. */
    private final String[] values;
    /** Fields whose names got no slot (beyond {@link FieldTable#EVENT_NAME_LIMIT}); usually null. */
    private final Map<String, String> extra;
    private String[] lower;
    /** Written by {@link #anyStoredValue} so that its touching loop is not optimized away. */
    private int touched;
    /** A result computed ahead by a detection stage ({@link #setPrepared}), and that stage. */
    private Object preparedBy;
    private Object prepared;

    /**
     * An event with the given fields (copied; later changes to the map are not seen), numbered by {@code table}:
     * the engine's ({@code EventNormalizer} uses it), or a table of one's own ({@link FieldTable#create()}).
     */
    public ProcessEvent(FieldTable table, LogSource logSource, int eventId, long time, Origin origin,
                        Map<String, String> fields) {
        this.table = table;
        this.logSource = logSource;
        this.eventId = eventId;
        this.time = time;
        this.origin = origin;
        // Sized to the event's own highest slot, not to every name ever seen: a source with other field names
        // (registered later) must not widen the events of this one.
        int[] slots = new int[fields.size()];
        String[] given = new String[fields.size()];
        int n = 0;
        int max = -1;
        Map<String, String> more = null;
        for (Map.Entry<String, String> f : fields.entrySet()) {
            if (f.getValue() == null) {
                continue;
            }
            int s = table.forEvent(f.getKey());
            if (s < 0) {
                if (more == null) {
                    more = new HashMap<>();
                }
                more.put(f.getKey(), f.getValue());
            } else {
                slots[n] = s;
                given[n++] = f.getValue();
                max = Math.max(max, s);
            }
        }
        String[] vals = new String[max + 1];
        for (int i = 0; i < n; i++) {
            vals[slots[i]] = table.shareRepeat(slots[i], given[i]);
        }
        this.values = vals;
        this.extra = more;
    }

    private ProcessEvent(ProcessEvent of, long time) {
        this.table = of.table;
        this.logSource = of.logSource;
        this.eventId = of.eventId;
        this.time = time;
        this.origin = of.origin;
        this.values = of.values;
        this.extra = of.extra;
    }

    /** The same fields at another time, with an empty lower-case cache (for replays and tests). */
    public ProcessEvent withTime(long time) {
        return new ProcessEvent(this, time);
    }

    /**
     * Leaves a result that a detection stage computed for this event before its insertion, typically on the
     * reading or submitting thread while the session thread evaluates earlier events (the Sigma prefilter's
     * candidate rules). The event must then reach the session thread through a synchronizing hand-off (a queue).
     */
    public void setPrepared(Object by, Object result) {
        this.preparedBy = by;
        this.prepared = result;
    }

    /** The result {@code by} left with {@link #setPrepared}, removed from the event; null when there is none. */
    public Object takePrepared(Object by) {
        if (preparedBy != by) {
            return null;
        }
        Object r = prepared;
        preparedBy = null;
        prepared = null;
        return r;
    }

    /** The table that numbers this event's fields: resolve a slot there for {@link #get(int)}. */
    public FieldTable fieldTable() {
        return table;
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
        int s = table.find(name);
        if (s >= 0) {
            return get(s);
        }
        return extra == null ? null : extra.get(name);
    }

    /**
     * The value of the field in {@code slot} (of this event's {@link #fieldTable()}), CIM view included, or
     * {@code null}.
     */
    public String get(int slot) {
        String v = stored(slot);
        if (v == null) {
            FieldMapping.Row row = table.derivation(slot);
            if (row != null) {
                v = row.valueFrom(this::stored);
            }
        }
        return v;
    }

    private String stored(int slot) {
        String v = slot < values.length ? values[slot] : null;
        return v != null || extra == null ? v : extra.get(table.name(slot));
    }

    private String stored(String name) {
        int s = table.find(name);
        return s >= 0 ? stored(s) : extra == null ? null : extra.get(name);
    }

    /** True when the event carries the field (possibly empty), under its Windows or CIM name. */
    public boolean has(String name) {
        return get(name) != null;
    }

    /** The field lower-cased (Locale.ROOT), or {@code null} when absent; computed once per field. */
    public String lc(String name) {
        int s = table.find(name);
        if (s >= 0) {
            return lc(s);
        }
        String v = extra == null ? null : extra.get(name);
        return v == null ? null : v.toLowerCase(Locale.ROOT);
    }

    /** {@link #lc(String)} by slot. */
    public String lc(int slot) {
        if (slot >= values.length) {
            // Beyond the event's own fields: only the CIM view or the extra map can have it.
            String v = get(slot);
            return v == null ? null : v.toLowerCase(Locale.ROOT);
        }
        String[] cache = lower;
        if (cache == null) {
            cache = lower = new String[values.length];
        }
        String c = cache[slot];
        if (c == null) {
            String v = get(slot);
            if (v == null) {
                return null;
            }
            c = v.toLowerCase(Locale.ROOT);
            cache[slot] = c;
        }
        return c;
    }

    /**
     * True when {@code test} holds for the value of some field the event carries (the derived CIM view not
     * included): what a Sigma keyword search looks at. Walks an array, not a map: cheap on cold events.
     */
    public boolean anyStoredValue(Predicate<String> test) {
        // Touch every value first: these loads are independent, so their cache misses overlap, where the
        // search below would meet them one at a time (a replayed or queued event is cold).
        int chars = 0;
        for (String v : values) {
            if (v != null) {
                chars += v.length();
            }
        }
        touched = chars;
        for (String v : values) {
            if (v != null && test.test(v)) {
                return true;
            }
        }
        if (extra != null) {
            for (String v : extra.values()) {
                if (test.test(v)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The stored fields (a new map per call): Windows names and constants, without the derived CIM view. */
    public Map<String, String> getFields() {
        Map<String, String> out = new LinkedHashMap<>();
        for (int s = 0; s < values.length; s++) {
            if (values[s] != null) {
                out.put(table.name(s), values[s]);
            }
        }
        if (extra != null) {
            out.putAll(extra);
        }
        return out;
    }

    /** Every field including the CIM view, for display (a new map per call, sorted by name). */
    public Map<String, String> allFields() {
        Map<String, String> all = new java.util.TreeMap<>(getFields());
        for (int s = 0; s < table.derivedCount(); s++) {
            String v = table.derivation(s) == null ? null : get(s);
            if (v != null) {
                all.put(table.name(s), v);
            }
        }
        return all;
    }

    @Override
    public String toString() {
        return logSource + "/" + eventId + "@" + origin + " " + get("CommandLine");
    }
}
