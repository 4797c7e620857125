package io.procwatch.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.SplittableRandom;

/**
 * Writes benchmark input: Sysmon EID 1 events as flat JSON lines (the OTRF shape), {@code qemuRatio} of them
 * QEMU tunnels that both detections match, the rest ordinary processes. Deterministic for a given seed.
 * Events are 10 ms apart across 50 hosts, so 1M events span several hourly windows.
 */
public final class SyntheticEvents {

    private static final String[][] BENIGN = {
            {"C:\\Windows\\System32\\svchost.exe", "C:\\Windows\\system32\\svchost.exe -k netsvcs -p -s Schedule", "Host Process for Windows Services"},
            {"C:\\Windows\\System32\\cmd.exe", "cmd.exe /c whoami /all", "Windows Command Processor"},
            {"C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe", "\"C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe\" --type=renderer --lang=en-US", "Google Chrome"},
            {"C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe", "powershell.exe -NoProfile -Command Get-Service", "Windows PowerShell"},
            {"C:\\Windows\\System32\\conhost.exe", "\\??\\C:\\Windows\\system32\\conhost.exe 0xffffffff -ForceV1", "Console Window Host"},
    };
    static final String QEMU_LINE = "qemu-system-x86_64.exe -m 1M -hda C:\\Users\\Public\\tc.img -netdev user,id=lan,restrict=off "
            + "-netdev socket,id=sock,connect=203.0.113.45:443 -netdev hubport,id=port-lan,hubid=0,netdev=lan "
            + "-netdev hubport,id=port-sock,hubid=0,netdev=sock -nographic";

    private SyntheticEvents() {
    }

    /** Writes {@code count} events to {@code file}; returns how many are QEMU events. */
    public static long write(Path file, long count, double qemuRatio, long seed) throws IOException {
        SplittableRandom rnd = new SplittableRandom(seed);
        long start = Instant.parse("2024-03-04T00:00:00Z").toEpochMilli();
        long qemu = 0;
        JsonFactory jf = new JsonFactory();
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
             JsonGenerator g = jf.createGenerator(w)) {
            g.setRootValueSeparator(new com.fasterxml.jackson.core.io.SerializedString("\n"));
            for (long i = 0; i < count; i++) {
                boolean isQemu = rnd.nextDouble() < qemuRatio;
                String[] p = BENIGN[rnd.nextInt(BENIGN.length)];
                String host = "WKS-" + (100 + rnd.nextInt(50));
                String time = Instant.ofEpochMilli(start + i * 10).toString();
                g.writeStartObject();
                g.writeStringField("SourceName", "Microsoft-Windows-Sysmon");
                g.writeStringField("Channel", "Microsoft-Windows-Sysmon/Operational");
                g.writeStringField("Hostname", host);
                g.writeNumberField("EventID", 1);
                g.writeStringField("@timestamp", time);
                g.writeStringField("UtcTime", time.replace('T', ' ').replace("Z", ""));
                g.writeStringField("ProcessGuid", "{e2c04bb9-08c3-60c4-1c17-" + String.format("%012x", i) + "}");
                g.writeNumberField("ProcessId", 1000 + rnd.nextInt(60000));
                g.writeStringField("Image", isQemu ? "C:\\Users\\Public\\qemu-system-x86_64.exe" : p[0]);
                g.writeStringField("FileVersion", "10.0.19041.1");
                g.writeStringField("Description", isQemu ? "QEMU machine emulators and tools" : p[2]);
                g.writeStringField("Product", isQemu ? "QEMU" : "Microsoft® Windows® Operating System");
                g.writeStringField("Company", isQemu ? "http://www.qemu-project.org" : "Microsoft Corporation");
                g.writeStringField("OriginalFileName", isQemu ? "qemu-system-x86_64.exe" : p[0].substring(p[0].lastIndexOf('\\') + 1));
                g.writeStringField("CommandLine", isQemu ? QEMU_LINE : p[1]);
                g.writeStringField("CurrentDirectory", "C:\\Windows\\system32\\");
                g.writeStringField("User", "CORP\\user" + rnd.nextInt(200));
                g.writeStringField("LogonGuid", "{e2c04bb9-a708-60c3-fb19-370000000000}");
                g.writeStringField("LogonId", "0x3719FB");
                g.writeNumberField("TerminalSessionId", 1);
                g.writeStringField("IntegrityLevel", "Medium");
                g.writeStringField("Hashes", "SHA256=E9EF80A7849F1CF02CB5FB8396FF9E270CB9006F30294A52C6490A72B373BE00");
                g.writeStringField("ParentProcessGuid", "{e2c04bb9-d0f0-60c3-48da-ec0000000000}");
                g.writeNumberField("ParentProcessId", 5632);
                g.writeStringField("ParentImage", "C:\\Windows\\explorer.exe");
                g.writeStringField("ParentCommandLine", "C:\\Windows\\Explorer.EXE");
                g.writeEndObject();
                if (isQemu) {
                    qemu++;
                }
            }
        }
        return qemu;
    }
}
