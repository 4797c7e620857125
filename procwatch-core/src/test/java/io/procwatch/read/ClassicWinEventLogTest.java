package io.procwatch.read;

import io.procwatch.normalize.EventNormalizer;
import io.procwatch.normalize.LogSource;
import io.procwatch.normalize.ProcessEvent;
import io.procwatch.read.evtx.EvtxReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Splunk's classic (non-XML) WinEventLog text: alone, mixed with XML events, and the shared dataset's file. */
class ClassicWinEventLogTest {

    /** A Windows 10 4688 as Splunk's classic WinEventLog writes it; its JSON twin is the first line of examples/02. */
    static final String CLASSIC_4688 = """
            03/04/2024 12:20:31 PM
            LogName=Security
            EventCode=4688
            EventType=0
            ComputerName=WKS-HR-03.corp.example
            SourceName=Microsoft Windows security auditing.
            Type=Information
            RecordNumber=88120
            Keywords=Audit Success
            TaskCategory=Process Creation
            OpCode=Info
            Message=A new process has been created.

            Creator Subject:
            \tSecurity ID:\t\tS-1-5-21-1004336348-1177238915-682003330-1107
            \tAccount Name:\t\tasmith
            \tAccount Domain:\t\tCORP
            \tLogon ID:\t\t0x5A8F31

            Target Subject:
            \tSecurity ID:\t\tS-1-0-0
            \tAccount Name:\t\t-
            \tAccount Domain:\t\t-
            \tLogon ID:\t\t0x0

            Process Information:
            \tNew Process ID:\t\t0x1f40
            \tNew Process Name:\tC:\\Users\\asmith\\AppData\\Local\\Temp\\q\\qemu-system-i386.exe
            \tToken Elevation Type:\t%%1938
            \tMandatory Label:\t\tMandatory Label\\Medium Mandatory Level
            \tCreator Process ID:\t0x13a4
            \tCreator Process Name:\tC:\\Windows\\System32\\cmd.exe
            \tProcess Command Line:\tqemu-system-i386.exe -m 1M -netdev user,id=lan,restrict=off -netdev socket,id=sock,connect=198.51.100.23:443 -netdev hubport,id=port-lan,hubid=0,netdev=lan -netdev hubport,id=port-sock,hubid=0,netdev=sock -nographic

            Token Elevation Type indicates the type of token that was assigned to the new process in accordance with User Account Control policy.
            """;

    /** Windows 7 / 2008 R2: one Subject block, no label or creator name. */
    static final String CLASSIC_4688_OLD = """
            11/02/2015 09:15:07 AM
            LogName=Security
            SourceName=Microsoft Windows security auditing.
            EventCode=4688
            ComputerName=OLD-SRV-01.corp.example
            RecordNumber=5521
            Message=A new process has been created.

            Subject:
            \tSecurity ID:\t\tS-1-5-21-1-2-3-500
            \tAccount Name:\t\tadmin
            \tAccount Domain:\t\tCORP
            \tLogon ID:\t\t0x3e7

            Process Information:
            \tNew Process ID:\t\t0x9c4
            \tNew Process Name:\tC:\\Windows\\System32\\whoami.exe
            \tToken Elevation Type:\tTokenElevationTypeDefault (1)
            \tCreator Process ID:\t0x5a0
            \tProcess Command Line:\twhoami /all
            """;

    static final String CLASSIC_SYSMON = """
            03/04/2024 10:52:10 AM
            LogName=Microsoft-Windows-Sysmon/Operational
            SourceName=Microsoft-Windows-Sysmon
            EventCode=1
            ComputerName=WKS-FIN-07
            RecordNumber=1001
            Message=Process Create:
            RuleName: -
            UtcTime: 2024-03-04 10:52:10.120
            ProcessGuid: {a1b2c3d4-1111-0000-0000-000000000001}
            ProcessId: 6120
            Image: C:\\Users\\Public\\qemu\\qemu-system-i386.exe
            CommandLine: qemu-system-i386.exe -m 1M -nographic
            User: CORP\\jdoe
            ParentImage: C:\\Windows\\System32\\cmd.exe
            """;

    static final String XML_EVENT = String.format(ReadersTest.EV, 1, "notepad.exe");

    private static ReadersTest.Collected read(Path file) {
        ReadersTest.Collected c = new ReadersTest.Collected();
        new InputWalker(EvtxReader::new).walk(List.of(file), c, c);
        return c;
    }

    @Test
    void classic4688NormalizesAsItsJsonTwin(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("security.txt");
        Files.writeString(f, CLASSIC_4688 + CLASSIC_4688_OLD);
        ReadersTest.Collected c = read(f);
        assertEquals(List.of(), c.rejected);
        assertEquals(List.of(), c.failed);
        assertEquals(2, c.records.size());
        assertEquals(1, c.records.get(0).origin().line());
        EventNormalizer n = new EventNormalizer();
        ProcessEvent classic = n.normalize(c.records.get(0));
        ProcessEvent json = n.normalize(read(Path.of("examples/02-security-4688.json")).records.get(0));
        assertEquals(LogSource.SECURITY, classic.getLogSource());
        for (String field : List.of("Image", "ParentImage", "CommandLine", "User", "UserID", "ProcessId",
                "ParentProcessId", "IntegrityLevel", "Computer", "SubjectLogonId", "TargetUserSid",
                "TokenElevationType", "dest", "user", "process_name", "parent_process_name")) {
            assertEquals(json.get(field) == null ? null : json.get(field).toLowerCase(),
                    classic.get(field) == null ? null : classic.get(field).toLowerCase(), field);
        }
        assertEquals(java.time.Instant.parse("2024-03-04T12:20:31Z").toEpochMilli(), classic.getTime());
        assertEquals("88120", classic.get("EventRecordID"));

        ProcessEvent old = n.normalize(c.records.get(1));
        assertEquals("CORP\\admin", old.get("User"));
        assertEquals("C:\\Windows\\System32\\whoami.exe", old.get("Image"));
        assertEquals("whoami /all", old.get("CommandLine"));
        assertEquals("2500", old.get("ProcessId"));
        assertEquals("1440", old.get("ParentProcessId"));
        assertEquals(java.time.Instant.parse("2015-11-02T09:15:07Z").toEpochMilli(), old.getTime());
    }

    @Test
    void classicEventsBetweenXmlEventsAreRead(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("mixed.raw");
        Files.writeString(f, XML_EVENT + "\n" + CLASSIC_SYSMON + XML_EVENT + "\n" + CLASSIC_4688
                + "stray line that is no event\n" + XML_EVENT + "\n");
        ReadersTest.Collected c = read(f);
        assertEquals(5, c.records.size(), c.rejected.toString());
        ProcessEvent sysmon = new EventNormalizer().normalize(c.records.get(1));
        assertEquals(LogSource.SYSMON, sysmon.getLogSource());
        assertEquals("C:\\Users\\Public\\qemu\\qemu-system-i386.exe", sysmon.get("Image"));
        assertEquals("{a1b2c3d4-1111-0000-0000-000000000001}", sysmon.get("ProcessGuid"));
        assertEquals(2, c.records.get(1).origin().line());
        // the stray line after the 4688's message belongs to it (a message runs to the next event); nothing lost
        assertEquals(List.of(), c.rejected);
        assertTrue(c.records.get(3).get("Message").endsWith("stray line that is no event"));
    }

    @Test
    void textThatIsNoEventIsStillRejectedWithItsLines(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("junk.xml");
        Files.writeString(f, XML_EVENT + "\nfoo=bar\nmore junk\n" + XML_EVENT + "\n");
        ReadersTest.Collected c = read(f);
        assertEquals(2, c.records.size());
        assertEquals(List.of(f + ":2: text outside any <Event> element (lines 2-3): 'foo=bar'"), c.rejected);
    }

    /** Splunk's attack data: 19 classic PowerShell 4104 events between Sysmon and 4688 XML events. */
    @Test
    void sharedCertutilFileHasNineteenClassicEvents() throws Exception {
        Path shared = Path.of("../shared/datasets/splunk-attack-data");
        Path f;
        try (Stream<Path> s = Files.exists(shared) ? Files.walk(shared) : Stream.empty()) {
            f = s.filter(p -> p.getFileName().toString().equals("certutil_exe_certificate_extraction.raw"))
                    .findFirst().orElse(null);
        }
        if (f == null) {
            System.out.println("NOTICE: certutil_exe_certificate_extraction.raw not found under " + shared
                    + "; classic WinEventLog dataset test skipped");
            return;
        }
        ReadersTest.Collected c = read(f);
        assertEquals(List.of(), c.rejected);
        List<RawRecord> classic = c.records.stream().filter(r -> r.get("LogName") != null).toList();
        assertEquals(19, classic.size());
        for (RawRecord r : classic) {
            assertEquals("4104", r.get("EventID"));
            assertEquals("Microsoft-Windows-PowerShell/Operational", r.get("Channel"));
            assertTrue(r.get("Message").startsWith("Creating Scriptblock text"), r.get("Message"));
        }
    }
}
