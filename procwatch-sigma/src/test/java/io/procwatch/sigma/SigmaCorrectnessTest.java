package io.procwatch.sigma;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.procwatch.sigma.SigmaFilterCorrelationTest.A;
import static io.procwatch.sigma.SigmaFilterCorrelationTest.B;
import static io.procwatch.sigma.SigmaFilterCorrelationTest.MIN;
import static io.procwatch.sigma.SigmaFilterCorrelationTest.T0;
import static io.procwatch.sigma.SigmaFilterCorrelationTest.correlation;
import static io.procwatch.sigma.SigmaFilterCorrelationTest.ev;
import static io.procwatch.sigma.SigmaFilterCorrelationTest.rule;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Issue 12's correctness points: CIDR, event_count, keyword modifiers, optional id, conflicting modifiers. */
class SigmaCorrectnessTest {

    private static final String HEAD = "level: high\nlogsource: {category: process_creation, product: windows}\ndetection:\n";

    @Test
    void cidrBoundsShortFormsAndNonAddresses() {
        assertTrue(SigmaMatch.cidr("10.1.2.3", "10/8"), "10/8 is 10.0.0.0/8");
        assertTrue(SigmaMatch.cidr("192.168.1.7", "192.168.1/24"));
        assertFalse(SigmaMatch.cidr("192.168.0.1", "192.168.1/24"), "192.168.1/24 is not 192.168.0.1/24");
        assertFalse(SigmaMatch.cidr("1", "0.0.0.0/0"), "1 is not the address 0.0.0.1");
        assertFalse(SigmaMatch.cidr("host.example", "0.0.0.0/0"));
        assertTrue(SigmaMatch.cidr("2001:db8::1", "2001:db8::/32"));
        assertFalse(SigmaMatch.cidr("2001:db9::1", "2001:db8::/32"));
        assertTrue(SigmaMatch.cidr("10.0.0.5", "10.0.0.5"));
        assertThrows(IllegalArgumentException.class, () -> SigmaMatch.Cidr.parse("1/132"));
        assertThrows(IllegalArgumentException.class, () -> SigmaMatch.Cidr.parse("10.0.0.0/33"));
        assertThrows(IllegalArgumentException.class, () -> SigmaMatch.Cidr.parse("2001:db8::/129"));
        assertThrows(IllegalArgumentException.class, () -> SigmaMatch.Cidr.parse("300.1.1.1/8"));
    }

    @Test
    void aCidrRangeOutOfBoundsIsRefusedAtConversion() throws Exception {
        SigmaException e = assertThrows(SigmaException.class, () -> SigmaConverter.standard().convert(
                SigmaConverter.YAML.readTree("title: t\nid: 00000000-0000-0000-0000-0000000000e1\n" + HEAD
                        + "  sel:\n    SourceIp|cidr: '1/132'\n  condition: sel\n"), null, "t"));
        assertEquals("cidr", e.reason());
        assertTrue(e.getMessage().contains("beyond 32 bits"), e.getMessage());
    }

    @Test
    void conflictingModifierChainsAreRefusedWithAReason() throws Exception {
        for (String key : List.of("CommandLine|re|cidr", "CommandLine|windash|cidr", "CommandLine|base64|re",
                "CommandLine|base64|exists", "CommandLine|contains|startswith", "CommandLine|i")) {
            SigmaException e = assertThrows(SigmaException.class, () -> SigmaConverter.standard().convert(
                    SigmaConverter.YAML.readTree("title: t\nid: 00000000-0000-0000-0000-0000000000e2\n" + HEAD
                            + "  sel:\n    '" + key + "': 'x'\n  condition: sel\n"), null, "t"), key);
            assertTrue(e.reason().startsWith("conflicting modifiers") || e.reason().startsWith("regex flag"), key + ": " + e.reason());
        }
    }

    @Test
    void keywordListsWithModifiers() throws Exception {
        String all = "  keywords:\n    '|all':\n      - 'mimikatz'\n      - 'sekurlsa'\n  condition: keywords\n";
        assertEquals(List.of(1, 0), SigmaSpecTest.fire(all,
                SigmaSpecTest.ev("CommandLine", "mimikatz.exe sekurlsa::logonpasswords"),
                SigmaSpecTest.ev("CommandLine", "mimikatz.exe coffee")));
        String windash = "  keywords:\n    '|windash':\n      - ' -encodedcommand'\n  condition: keywords\n";
        assertEquals(List.of(1, 1, 0), SigmaSpecTest.fire(windash,
                SigmaSpecTest.ev("CommandLine", "powershell -EncodedCommand AAA"),
                SigmaSpecTest.ev("CommandLine", "powershell /encodedcommand AAA"),
                SigmaSpecTest.ev("CommandLine", "powershell -command AAA")));
        assertThrows(SigmaException.class, () -> SigmaConverter.standard().convert(SigmaConverter.YAML.readTree(
                "title: t\nid: 00000000-0000-0000-0000-0000000000e3\n" + HEAD
                        + "  keywords:\n    '|re': 'a.*b'\n  condition: keywords\n"), null, "t"));
    }

    @Test
    void aRuleWithoutIdGetsAStableDerivedIdNamedInTheReport(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("noid.yml"), "title: No id here\n" + HEAD
                + "  sel:\n    CommandLine|contains: 'x'\n  condition: sel\n");
        ConversionReport r1 = SigmaConverter.standard().convertAll(List.of(dir));
        ConversionReport r2 = SigmaConverter.standard().convertAll(List.of(dir));
        assertEquals(1, r1.converted().size(), r1.failures().toString());
        String id = r1.converted().get(0).id();
        assertEquals(id, r2.converted().get(0).id(), "stable");
        assertEquals(java.util.UUID.nameUUIDFromBytes("procwatch-sigma:noid:No id here".getBytes(
                java.nio.charset.StandardCharsets.UTF_8)).toString(), id);
        assertTrue(r1.toText().contains("derived id " + id), r1.toText());
    }

    /** event_count counts events: one event that two of the named rules match counts once. */
    @Test
    void eventCountCountsAnEventMatchedByTwoRulesOnce(@TempDir Path dir) throws Exception {
        String c = "00000000-0000-0000-0000-0000000000c9";
        List<String> yaml = List.of(rule(A, "who", "whoami"), rule(B, "all", "/all"),
                correlation(c, "  type: event_count\n  rules: [who, all]\n  group-by: [User]\n  timespan: 10m\n"
                        + "  condition: {gte: 2}\n  generate: true\n"));
        // One event, both rules: 2 matches, 1 event: no correlation.
        SigmaTestSupport.Run one = SigmaTestSupport.run(SigmaTestSupport.compile(dir, Map.of(), yaml.toArray(String[]::new))
                .rules(), List.of(ev(T0, "bob", "whoami /all")));
        assertEquals(1L, one.matchCounts().get(A));
        assertEquals(1L, one.matchCounts().get(B));
        assertEquals(0L, one.matchCounts().getOrDefault(c, 0L), "one event is one event");
        // Two events: it fires.
        SigmaTestSupport.Run two = SigmaTestSupport.run(SigmaTestSupport.compile(dir, Map.of(), yaml.toArray(String[]::new))
                .rules(), List.of(ev(T0, "bob", "whoami /all"), ev(T0 + MIN, "bob", "whoami")));
        assertEquals(1L, two.matchCounts().getOrDefault(c, 0L));
    }

}
