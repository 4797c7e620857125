package io.procwatch.normalize;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The event's field store: names and slots, the CIM view, the lower-case cache, shared repeats, the prepared slot. */
class ProcessEventTest {

    private final FieldTable table = FieldTable.create();

    private ProcessEvent event(String computer, String image, String commandLine) {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("Computer", computer);
        f.put("Image", image);
        f.put("CommandLine", commandLine);
        f.put("Channel", "Microsoft-Windows-Sysmon/Operational");
        f.put("ProcessEventTest.Empty", "");
        return new ProcessEvent(table, LogSource.SYSMON, 1, 1_000L, null, f);
    }

    @Test
    void fieldsByNameAndSlotWithTheCimViewDerived() {
        ProcessEvent e = event("HOST-1", "C:\\Tools\\QEMU-System-x86_64.exe", "Qemu -NoGraphic");
        assertEquals("HOST-1", e.get("Computer"));
        assertEquals("HOST-1", e.get("dest"), "CIM dest is Computer");
        assertEquals("QEMU-System-x86_64.exe", e.get("process_name"), "CIM process_name is Image's base name");
        assertEquals("qemu-system-x86_64.exe", e.lc("process_name"));
        assertEquals(e.get("Image"), e.get(table.of("Image")));
        assertEquals("qemu -nographic", e.lc(table.of("CommandLine")));
        assertSame(e.lc("CommandLine"), e.lc("CommandLine"), "lower-cased once");
        assertTrue(e.has("ProcessEventTest.Empty"), "an empty field is carried");
        assertEquals("", e.get("ProcessEventTest.Empty"));
        assertNull(e.get("ParentImage"));
        assertFalse(e.has("ParentImage"));
        assertNull(e.get("ProcessEventTest.NeverSeen"));
        assertNull(e.lc("ProcessEventTest.NeverSeen"));
        assertNull(e.lc("parent_process_name"), "a CIM name whose source is absent");
        // A slot handed out after the event was built reads as absent.
        int later = table.of("ProcessEventTest.Later");
        assertNull(e.get(later));
        assertNull(e.lc(later));
    }

    @Test
    void storedFieldsAndTheFullViewForDisplay() {
        ProcessEvent e = event("HOST-1", "C:\\a\\b.exe", "b.exe x");
        assertEquals(java.util.Set.of("Computer", "Image", "CommandLine", "Channel", "ProcessEventTest.Empty"),
                e.getFields().keySet(), "stored fields only, without the CIM view");
        Map<String, String> all = e.allFields();
        assertEquals("b.exe", all.get("process_name"));
        assertEquals("HOST-1", all.get("dest"));
        assertEquals(all.keySet().stream().sorted().toList(), List.copyOf(all.keySet()), "sorted by name");
        assertTrue(e.anyStoredValue(v -> v.equals("b.exe x")));
        assertFalse(e.anyStoredValue(v -> v.equals("b.exe")), "the derived view is not searched");
    }

    @Test
    void aValueRepeatedFromThePreviousEventIsOneSharedString() {
        ProcessEvent a = event(new String("HOST-7"), "C:\\a.exe", "a");
        ProcessEvent b = event(new String("HOST-7"), "C:\\b.exe", "b");
        assertSame(a.get("Computer"), b.get("Computer"));
        assertEquals("C:\\b.exe", b.get("Image"));
        ProcessEvent c = event(new String("HOST-8"), "C:\\b.exe", "b");
        assertEquals("HOST-8", c.get("Computer"));
        assertEquals("HOST-7", b.get("Computer"), "earlier events keep their values");
    }

    @Test
    void withTimeSharesTheFieldsButNotTheCacheOrThePreparedResult() {
        ProcessEvent e = event("H", "C:\\a.exe", "A B");
        Object stage = new Object();
        e.setPrepared(stage, "candidates");
        ProcessEvent later = e.withTime(5_000L);
        assertEquals(5_000L, later.getTime());
        assertEquals(1_000L, e.getTime());
        assertSame(e.get("CommandLine"), later.get("CommandLine"));
        assertNotSame(e.lc("CommandLine"), later.lc("CommandLine"), "each copy lower-cases for itself");
        assertNull(later.takePrepared(stage));
        assertNull(e.takePrepared(new Object()), "another stage's result is not handed out");
        assertEquals("candidates", e.takePrepared(stage));
        assertNull(e.takePrepared(stage), "taken once");
    }

    /**
     * Names from events are capped (FieldTable.EVENT_NAME_LIMIT), beyond which an event keeps its fields in a map;
     * the cap is the table's, so another table (another engine) still numbers every name it meets.
     */
    @Test
    void fieldsBeyondTheNameLimitAreKeptAndFoundAndOtherTablesAreUntouched() {
        FieldTable full = FieldTable.create();
        Map<String, String> f = new LinkedHashMap<>();
        int n = FieldTable.EVENT_NAME_LIMIT + 100;
        for (int i = 0; i < n; i++) {
            f.put("F" + i, "Value " + i);
        }
        ProcessEvent e = new ProcessEvent(full, LogSource.SYSMON, 1, 0L, null, f);
        assertTrue(full.count() <= FieldTable.EVENT_NAME_LIMIT, "names from events capped: " + full.count());
        assertTrue(full.find("F" + (n - 1)) < 0, "the last name has no slot");
        for (int i = 0; i < n; i++) {
            assertEquals("Value " + i, e.get("F" + i));
            assertEquals("value " + i, e.lc("F" + i));
        }
        assertEquals(n, e.getFields().size(), "all fields listed");
        assertTrue(e.anyStoredValue(v -> v.equals("Value " + (n - 1))), "the keyword search sees the extra fields");
        // A rule may still name a field an event kept in its map: rules always get a slot.
        int slot = full.of("F" + (n - 1));
        assertTrue(slot >= 0);
        assertEquals("Value " + (n - 1), e.get(slot), "found by a slot handed out later");

        ProcessEvent other = event("H", "C:\\a.exe", "a");
        assertEquals(-1, table.find("F0"), "the other table never saw the full one's names");
        int own = table.find("ProcessEventTest.Empty");
        assertTrue(own >= 0 && own < FieldTable.EVENT_NAME_LIMIT, "the other table numbers its own names: " + own);
        assertEquals("", other.get(own));
    }
}
