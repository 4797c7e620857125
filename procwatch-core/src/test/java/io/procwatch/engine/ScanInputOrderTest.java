package io.procwatch.engine;

import io.procwatch.TestScan;
import io.procwatch.aggregate.Notable;



import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A batch scan of several files: lateness is judged within each file and windows close only when every file is
 * past them, so the order of the files does not change the notables (as a search over indexed data would not).
 */
class ScanInputOrderTest {

    static final String QEMU = "qemu-system-i386.exe -m 1M -netdev user,id=lan,restrict=off -netdev socket,id=sock,connect=203.0.113.45:443 -nographic";

    static String line(String time, String host, String cmd) {
        return "{\"EventID\":1,\"Channel\":\"Microsoft-Windows-Sysmon/Operational\",\"Computer\":\"" + host
                + "\",\"User\":\"CORP\\\\jdoe\",\"@timestamp\":\"" + time + "\",\"CommandLine\":\"" + cmd + "\"}\n";
    }

    @Test
    void filesInAnyOrderGiveTheSameNotablesAndNoFalseLateness(@TempDir Path dir) throws Exception {
        // Two hosts' logs of the same afternoon, and a later day: each file in time order.
        Path a = Files.writeString(dir.resolve("a.json"), line("2024-03-04T11:00:00Z", "WKS-A", QEMU)
                + line("2024-03-04T12:30:00Z", "WKS-A", "benign.exe") + line("2024-03-04T15:00:00Z", "WKS-A", QEMU));
        Path b = Files.writeString(dir.resolve("b.json"), line("2024-03-04T11:05:00Z", "WKS-A", QEMU)
                + line("2024-03-04T11:10:00Z", "WKS-B", QEMU) + line("2024-03-04T13:00:00Z", "WKS-B", "benign.exe"));
        Path c = Files.writeString(dir.resolve("c.json"), line("2024-03-05T09:00:00Z", "WKS-C", QEMU));

        List<Notable> forward = new ArrayList<>();
        ScanStats s1 = TestScan.scan(List.of(a, b, c), forward);
        List<Notable> backward = new ArrayList<>();
        ScanStats s2 = TestScan.scan(List.of(c, b, a), backward);

        assertEquals(0, s1.late());
        assertEquals(0, s2.late());
        assertEquals(forward.toString(), backward.toString());
        // WKS-A's two matches in [10:50, 11:50) come from two files and still form one notable.
        Notable wksA = forward.stream().filter(n -> n.fields().get("dest").equals("WKS-A")
                && n.fields().get("window_start").equals("2024-03-04T10:50:00Z")).findFirst().orElseThrow();
        assertEquals(2L, wksA.fields().get("count"));
        assertEquals(4, forward.size());
        assertTrue(forward.stream().noneMatch(n -> (Boolean) n.fields().get("late")));
    }

    @Test
    void outOfOrderWithinAFileIsStillLate(@TempDir Path dir) throws Exception {
        Path a = Files.writeString(dir.resolve("a.json"), line("2024-03-04T12:00:00Z", "WKS-A", "benign.exe")
                + line("2024-03-04T11:00:00Z", "WKS-A", QEMU));
        List<Notable> out = new ArrayList<>();
        ScanStats s = TestScan.scan(List.of(a), out);
        assertEquals(1, s.late());
        assertEquals(1, out.size(), "a late match is still reported");
    }
}
