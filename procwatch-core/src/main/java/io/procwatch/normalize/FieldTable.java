package io.procwatch.normalize;

import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Field names ↔ slot numbers for the {@link ProcessEvent}s of one engine (or one scan): an event keeps its values
 * in an array indexed by slot instead of a hash map per event, and keeps a reference to the table that numbered
 * them, so an event is readable by name wherever it goes.
 *
 * <p>Why slots: a million-event replay against 1,400 Sigma rules is memory-bound. Walking a ~46-entry
 * {@code LinkedHashMap} is one dependent cache miss per entry, and a keyword search must look at every field;
 * the slots of an array can be loaded in parallel, and a rule resolves its field's slot once per table.
 *
 * <p>Why per engine: two engines in one JVM (different rules, different input) must not share a name cap or a
 * value cache. Append-only and thread-safe: readers register the names they meet, rules look theirs up. Names
 * from events are capped at {@link #EVENT_NAME_LIMIT} so that input with arbitrary field names (a JSON feed with
 * generated keys) cannot grow every later event's array without bound; beyond it an event keeps its extra fields
 * in a small map. Names from rules ({@link #of}) always get a slot: rules are few.
 */
public final class FieldTable {

    /** At most this many slots are handed out for names met in events. */
    public static final int EVENT_NAME_LIMIT = 1024;

    /** The CIM view ({@code cim.map}), which {@link ProcessEvent} derives its CIM names from. Immutable. */
    private static final FieldMapping CIM = FieldMapping.load("cim.map");

    private final ConcurrentHashMap<String, Integer> slots = new ConcurrentHashMap<>();
    private volatile String[] names = new String[0];
    /** Per slot, the value the last event stored there (see {@link #shareRepeat}). */
    private volatile String[] lastValues = new String[256];
    /** Per slot, the CIM row that derives it; the CIM names hold the first slots. */
    private final FieldMapping.Row[] derived;

    private FieldTable() {
        // The CIM view's names first, so they fit every event's lower-case cache (see ProcessEvent.lc).
        for (FieldMapping.Row row : CIM.rows()) {
            of(row.target());
        }
        FieldMapping.Row[] d = new FieldMapping.Row[names.length];
        for (FieldMapping.Row row : CIM.rows()) {
            int s = find(row.target());
            if (d[s] == null) {
                d[s] = row;
            }
        }
        this.derived = d;
    }

    /** A new table holding only the CIM view's names. */
    public static FieldTable create() {
        return new FieldTable();
    }

    /** The slot of {@code name}, or -1 when no event or rule has used that name. */
    public int find(String name) {
        Integer s = slots.get(name);
        return s == null ? -1 : s;
    }

    /** The slot of {@code name}, given one now if it has none (for names in rules). */
    public int of(String name) {
        Integer s = slots.get(name);
        return s != null ? s : add(name, Integer.MAX_VALUE);
    }

    /** The slot of a field name met in an event, or -1 once the names from events reached the limit. */
    int forEvent(String name) {
        Integer s = slots.get(name);
        if (s != null) {
            return s;
        }
        // Once full, a feed of ever new names must not take the lock for each of them.
        return names.length >= EVENT_NAME_LIMIT ? -1 : add(name, EVENT_NAME_LIMIT);
    }

    private synchronized int add(String name, int limit) {
        Integer s = slots.get(name);
        if (s != null) {
            return s;
        }
        String[] old = names;
        if (old.length >= limit) {
            return -1;
        }
        String[] grown = Arrays.copyOf(old, old.length + 1);
        grown[old.length] = name;
        names = grown;
        slots.put(name, old.length);
        return old.length;
    }

    /**
     * {@code value}, or an equal String an earlier event stored in {@code slot}. Consecutive events repeat most of
     * their fields (on the OTRF data 28 of 46: channel, provider, host, user, levels …); sharing one String for
     * those saves heap while events wait in queues and windows, and keeps the shared values in cache for the
     * rules that walk every field. Races between reader threads only lose a chance to share.
     */
    String shareRepeat(int slot, String value) {
        String[] last = lastValues;
        if (slot >= last.length) {
            synchronized (this) {
                if (slot >= lastValues.length) {
                    lastValues = Arrays.copyOf(lastValues, Math.max(slot + 1, lastValues.length * 2));
                }
                last = lastValues;
            }
        }
        String prev = last[slot];
        if (value.equals(prev)) {
            return prev;
        }
        last[slot] = value;
        return value;
    }

    /** The CIM row deriving {@code slot}, or null when it is not a CIM name. */
    FieldMapping.Row derivation(int slot) {
        return slot < derived.length ? derived[slot] : null;
    }

    /** How many CIM-derived slots lead the table. */
    int derivedCount() {
        return derived.length;
    }

    /** How many slots are handed out. */
    public int count() {
        return names.length;
    }

    /** The name of a slot. */
    public String name(int slot) {
        return names[slot];
    }
}
