package io.procwatch.normalize;

import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Field names ↔ slot numbers, shared by every {@link ProcessEvent}: an event keeps its values in an array
 * indexed by slot instead of a hash map per event.
 *
 * <p>Why: a million-event replay against 1,400 Sigma rules is memory-bound. Walking a ~46-entry
 * {@code LinkedHashMap} is one dependent cache miss per entry, and a keyword search must look at every field;
 * the slots of an array can be loaded in parallel, and a rule resolves its field's slot once, when it is built.
 *
 * <p>Append-only and thread-safe: readers register the names they meet, rules look theirs up. Names from events
 * are capped at {@link #EVENT_NAME_LIMIT} so that input with arbitrary field names (a JSON feed with
 * generated keys) cannot grow every later event's array without bound; beyond it an event keeps its extra
 * fields in a small map. Names from rules ({@link #of}) always get a slot: rules are few.
 */
public final class FieldSlots {

    /** At most this many slots are handed out for names met in events. */
    public static final int EVENT_NAME_LIMIT = 1024;

    private static final ConcurrentHashMap<String, Integer> SLOTS = new ConcurrentHashMap<>();
    private static volatile String[] names = new String[0];
    /** Per slot, the value the last event stored there (see {@link #shareRepeat}). */
    private static volatile String[] lastValues = new String[256];

    /** The CIM view ({@code cim.map}), which {@link ProcessEvent} derives its CIM names from. */
    static final FieldMapping CIM = FieldMapping.load("cim.map");

    static {
        // The CIM view's names first, so they fit every event's lower-case cache (see ProcessEvent.lc).
        for (FieldMapping.Row row : CIM.rows()) {
            of(row.target());
        }
    }

    private FieldSlots() {
    }

    /** The slot of {@code name}, or -1 when no event or rule has used that name. */
    public static int find(String name) {
        Integer s = SLOTS.get(name);
        return s == null ? -1 : s;
    }

    /** The slot of {@code name}, given one now if it has none (for names in rules). */
    public static int of(String name) {
        Integer s = SLOTS.get(name);
        return s != null ? s : add(name, Integer.MAX_VALUE);
    }

    /** The slot of a field name met in an event, or -1 once the names from events reached the limit. */
    static int forEvent(String name) {
        Integer s = SLOTS.get(name);
        if (s != null) {
            return s;
        }
        // Once full, a feed of ever new names must not take the lock for each of them.
        return names.length >= EVENT_NAME_LIMIT ? -1 : add(name, EVENT_NAME_LIMIT);
    }

    private static synchronized int add(String name, int limit) {
        Integer s = SLOTS.get(name);
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
        SLOTS.put(name, old.length);
        return old.length;
    }

    /**
     * {@code value}, or an equal String an earlier event stored in {@code slot}. Consecutive events repeat most of
     * their fields (on the OTRF data 28 of 46: channel, provider, host, user, levels …); sharing one String for
     * those saves heap while events wait in queues and windows, and keeps the shared values in cache for the
     * rules that walk every field. Races between reader threads only lose a chance to share.
     */
    static String shareRepeat(int slot, String value) {
        String[] last = lastValues;
        if (slot >= last.length) {
            synchronized (FieldSlots.class) {
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

    /** How many slots are handed out. */
    public static int count() {
        return names.length;
    }

    /** The name of a slot. */
    public static String name(int slot) {
        return names[slot];
    }
}
