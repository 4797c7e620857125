package io.procwatch.corpus;

import io.procwatch.SharedData;
import io.procwatch.TestScan;

import io.procwatch.aggregate.Notable;


import io.procwatch.engine.ScanStats;



import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Real process events hold no QEMU use (SOURCES.md: expected matches 0 and 0 everywhere), so a scan of the shared
 * datasets must raise no notable. The default run scans the Splunk attack data, the Sigma regression events and the
 * extracted OTRF file; {@code -Pcorpus} scans the whole 1.07M-event folder, EVTX and zips included.
 */
class BackgroundCorpusTest {

    @Test
    void subsetRaisesNoNotable() throws Exception {
        List<Notable> notables = new ArrayList<>();
        ScanStats s = TestScan.scan(List.of(SharedData.require("splunk-attack-data"), SharedData.require("sigma-regression"),
                SharedData.require("otrf/extracted")), notables);
        System.out.printf("BackgroundCorpusTest subset: %,d events, %,d process events, %,d rejected%n",
                s.events(), s.processEvents(), s.rejected());
        assertEquals(List.of(), notables);   // risk incidents are notables too
        assertEquals(0, s.matchTotal());
        assertEquals(0, s.riskEvents());
        assertTrue(s.processEvents() > 2_000, "process events read: " + s.processEvents());
        assertEquals(s.events(), s.processEvents() + s.otherEvents() + s.rejected());
    }

    @Test
    @Tag("corpus")
    void wholeCorpusRaisesNoNotable() throws Exception {
        List<Notable> notables = new ArrayList<>();
        ScanStats s = TestScan.scan(List.of(SharedData.require(".")), notables);
        System.out.printf("BackgroundCorpusTest corpus: %,d events, %,d process events, %,d rejected, %.1f s%n",
                s.events(), s.processEvents(), s.rejected(), s.seconds());
        assertEquals(List.of(), notables);
        assertEquals(0, s.matchTotal());
        assertTrue(s.events() > 1_000_000, "events read: " + s.events());
        assertEquals(s.events(), s.processEvents() + s.otherEvents() + s.rejected());
    }
}
