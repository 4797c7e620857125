package io.procwatch.normalize;

import io.procwatch.TestEvents;
import io.procwatch.read.Origin;
import io.procwatch.read.RawRecord;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EventNormalizerTest {

    private final EventNormalizer normalizer = new EventNormalizer();

    private ProcessEvent normalize(Map<String, String> f) throws RejectedRecordException {
        return normalizer.normalize(new RawRecord(new Origin("t.xml", 7), f));
    }

    @Test
    void security4688MapsOntoSysmonAndCimNames() {
        ProcessEvent e = TestEvents.security4688("2024-03-04T11:20:31.2501234Z", "qemu.exe -nographic");
        assertEquals(LogSource.SECURITY, e.getLogSource());
        assertEquals(4688, e.getEventId());
        assertEquals("C:\\Temp\\qemu-system-i386.exe", e.get("Image"));
        assertEquals("C:\\Windows\\System32\\cmd.exe", e.get("ParentImage"));
        assertEquals("CORP\\asmith", e.get("User"));
        assertEquals("S-1-16-8192", e.get("IntegrityLevel"));
        assertEquals("8000", e.get("ProcessId"));          // 0x1f40
        assertEquals("5028", e.get("ParentProcessId"));    // 0x13a4, 4688's ProcessId is the creator
        assertEquals("qemu-system-i386.exe", e.get("process_name"));
        assertEquals("cmd.exe", e.get("parent_process_name"));
        assertEquals("WKS-02", e.get("dest"));
        assertEquals("CORP\\asmith", e.get("user"));
        assertEquals("S-1-5-21-1-2-3-1107", e.get("user_id"));
        assertEquals("Microsoft Windows", e.get("vendor_product"));
        // 4688 carries no version resource or hashes: they stay absent, not empty.
        assertNull(e.get("Description"));
        assertNull(e.get("Product"));
        assertNull(e.get("Company"));
        assertNull(e.get("Hashes"));
        assertNull(e.get("process_hash"));
        assertEquals(Instant.parse("2024-03-04T11:20:31.250Z").toEpochMilli(), e.getTime());
    }

    @Test
    void sysmonGetsCimNames() {
        ProcessEvent e = TestEvents.sysmon("2024-03-04T11:00:00Z", "qemu.exe -m 1M");
        assertTrue(e.isSysmon());
        assertEquals("qemu.exe -m 1M", e.get("process"));
        assertEquals("qemu-system-i386.exe", e.get("process_name"));
        assertEquals("cmd.exe", e.get("parent_process"));
        assertEquals("allowed", e.get("action"));
        assertEquals("1", e.get("EventID"));
        assertEquals("qemu.exe -m 1m", e.lc("CommandLine"));
        assertNull(e.lc("NoSuchField"));
    }

    @Test
    void otherEventsAreNotProcessEvents() throws Exception {
        Map<String, String> f = new HashMap<>(TestEvents.sysmonFields("2024-03-04T11:00:00Z", "x", null));
        f.put("EventID", "3");
        assertNull(normalize(f));
        f.put("EventID", "1");
        f.put("Channel", "Microsoft-Windows-PowerShell/Operational");
        assertNull(normalize(f), "EventID 1 of another channel is not a process creation");
        f.put("Channel", "Security");
        assertNull(normalize(f));
        f.remove("EventID");
        assertNull(normalize(f));
    }

    @Test
    void providerStandsInForAMissingChannel() throws Exception {
        Map<String, String> f = new HashMap<>(TestEvents.sysmonFields("2024-03-04T11:00:00Z", "x", null));
        f.remove("Channel");
        assertTrue(normalize(f).isSysmon());
    }

    @Test
    void timeFromEachCollectorsFieldKeptToTheMillisecond() throws Exception {
        Map<String, String> f = new HashMap<>(TestEvents.sysmonFields("2024-03-04T11:00:00.1239999Z", "x", null));
        assertEquals(Instant.parse("2024-03-04T11:00:00.123Z").toEpochMilli(), normalize(f).getTime());
        f.remove("SystemTime");
        f.put("@timestamp", "2024-03-04T13:00:00.5+02:00");
        assertEquals(Instant.parse("2024-03-04T11:00:00.500Z").toEpochMilli(), normalize(f).getTime());
        f.remove("@timestamp");
        f.put("UtcTime", "2024-03-04 11:00:00.777");
        assertEquals(Instant.parse("2024-03-04T11:00:00.777Z").toEpochMilli(), normalize(f).getTime());
    }

    @Test
    void processEventWithoutUsableTimeIsRejectedWithReason() {
        Map<String, String> f = new HashMap<>(TestEvents.sysmonFields("yesterday", "x", null));
        RejectedRecordException e = assertThrows(RejectedRecordException.class, () -> normalize(f));
        assertTrue(e.getMessage().contains("yesterday"), e.getMessage());
        f.remove("SystemTime");
        e = assertThrows(RejectedRecordException.class, () -> normalize(f));
        assertTrue(e.getMessage().contains("no time field"), e.getMessage());
    }

    @Test
    void aliasesOfFlatCollectorsFillCanonicalNames() throws Exception {
        Map<String, String> f = new HashMap<>(TestEvents.sysmonFields("2024-03-04T11:00:00Z", "x", null));
        f.remove("Computer");
        f.put("Hostname", "WKS-OTRF");
        ProcessEvent e = normalize(f);
        assertEquals("WKS-OTRF", e.get("Computer"));
        assertEquals("WKS-OTRF", e.get("dest"));
        assertFalse(e.has("NoSuchField"));
    }
}
