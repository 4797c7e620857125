package io.procwatch.bench;

import io.procwatch.detect.RuleSet;
import io.procwatch.engine.DetectionSession;
import io.procwatch.normalize.EventNormalizer;
import io.procwatch.normalize.ProcessEvent;
import io.procwatch.normalize.RejectedRecordException;
import io.procwatch.read.Origin;
import io.procwatch.read.RawRecord;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * {@code procwatch bench --risk}: memory of the risk rules over a long stream. Generates Sysmon EID 1 events in
 * memory (no file) spread evenly over {@code days} of event time on {@code hosts} hosts, a {@code share} of them the
 * QEMU command line both bundled detections match, and runs them through one replay session in batches as a scan
 * does. At the end of every simulated day it forces a GC and prints the heap in use, the facts in working memory, the
 * risk events and incidents so far, and the session thread's CPU time: with 7-day incident windows the heap must
 * level off once the stream is longer than the windows.
 */
public final class RiskMemoryBenchmark {

    private static final String[] BENIGN = {
            "C:\\Windows\\system32\\svchost.exe -k netsvcs -p -s Schedule",
            "cmd.exe /c whoami /all",
            "\"C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe\" --type=renderer --lang=en-US",
            "powershell.exe -NoProfile -Command Get-Service",
            "\\??\\C:\\Windows\\system32\\conhost.exe 0xffffffff -ForceV1",
    };

    private RiskMemoryBenchmark() {
    }

    /** Runs and prints one line per simulated day, then a summary. */
    public static void run(RuleSet rules, long events, int days, int hosts, double share, PrintStream out) {
        SplittableRandom rnd = new SplittableRandom(42);
        long start = Instant.parse("2024-03-04T00:00:00Z").toEpochMilli();
        double step = days * 86_400_000.0 / events;
        EventNormalizer normalizer = new EventNormalizer();
        var threads = ManagementFactory.getThreadMXBean();
        var memory = ManagementFactory.getMemoryMXBean();
        long cpu0 = threads.getCurrentThreadCpuTime();
        long qemu = 0;
        long notables = 0;
        long riskEvents = 0;
        out.printf("risk memory benchmark: %,d events over %d days on %d hosts, %.4f%% detections (QEMU lines)%n",
                events, days, hosts, share * 100);
        out.printf("%10s %12s %10s %12s %10s %10s %10s%n", "events", "event day", "heap KiB", "facts", "risk ev.", "incidents", "CPU s");
        try (DetectionSession s = new DetectionSession(rules, true, Duration.ofMinutes(10))) {
            long eventsPerDay = Math.max(1, events / days);
            for (long i = 0; i < events; i++) {
                boolean isQemu = rnd.nextDouble() < share;
                Map<String, String> f = new HashMap<>(24);
                f.put("Provider", "Microsoft-Windows-Sysmon");
                f.put("EventID", "1");
                f.put("Channel", "Microsoft-Windows-Sysmon/Operational");
                f.put("Computer", "WKS-" + (1000 + rnd.nextInt(hosts)));
                f.put("SystemTime", Instant.ofEpochMilli(start + (long) (i * step)).toString());
                f.put("ProcessId", Integer.toString(1000 + rnd.nextInt(60000)));
                f.put("Image", isQemu ? "C:\\Users\\Public\\qemu-system-x86_64.exe" : "C:\\Windows\\System32\\cmd.exe");
                f.put("Description", isQemu ? "QEMU machine emulators and tools" : "Windows Command Processor");
                f.put("Product", isQemu ? "QEMU" : "Microsoft Windows Operating System");
                f.put("Company", isQemu ? "http://www.qemu-project.org" : "Microsoft Corporation");
                f.put("CommandLine", isQemu ? SyntheticEvents.QEMU_LINE : BENIGN[rnd.nextInt(BENIGN.length)]);
                f.put("User", "CORP\\user" + rnd.nextInt(200));
                f.put("ParentImage", "C:\\Windows\\explorer.exe");
                ProcessEvent e;
                try {
                    e = normalizer.normalize(new RawRecord(new Origin("bench", i + 1), f));
                } catch (RejectedRecordException ex) {
                    throw new IllegalStateException(ex);
                }
                if (isQemu) {
                    qemu++;
                }
                s.insert(e);
                if (i % 1000 == 999) {
                    notables += s.fire().size();
                    riskEvents += s.drainRiskEvents().size();
                }
                if (i % eventsPerDay == eventsPerDay - 1) {
                    System.gc();
                    long heap = memory.getHeapMemoryUsage().getUsed() >> 10;
                    out.printf("%,10d %12.1f %,10d %,12d %,10d %,10d %10.1f%n", i + 1, (i * step) / 86_400_000.0, heap,
                            s.factCount(), riskEvents, s.risk() == null ? 0 : s.risk().incidentCount(),
                            (threads.getCurrentThreadCpuTime() - cpu0) / 1e9);
                }
            }
            notables += s.flush().size();
            riskEvents += s.drainRiskEvents().size();
            out.printf("QEMU events %,d, notables %,d (risk incidents %,d), risk events %,d, session CPU %.1f s (%.2f us/event)%n",
                    qemu, notables, s.risk() == null ? 0 : s.risk().incidentCount(), riskEvents,
                    (threads.getCurrentThreadCpuTime() - cpu0) / 1e9,
                    (threads.getCurrentThreadCpuTime() - cpu0) / 1e3 / events);
        }
    }
}
