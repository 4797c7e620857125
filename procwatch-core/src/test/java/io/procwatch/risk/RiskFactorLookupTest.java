package io.procwatch.risk;

import io.procwatch.detect.RuleSet;
import io.procwatch.lookup.Lookups;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.procwatch.risk.RiskStories.event;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Splunk ES asset and identity lookups enrich notables and risk events; the default risk factors apply in DRL. */
class RiskFactorLookupTest {

    static Lookups lookups(Path dir) throws Exception {
        Path l = Files.createDirectories(dir.resolve("lookups"));
        Files.writeString(l.resolve("assets.csv"), """
                ip,mac,nt_host,dns,owner,priority,lat,long,city,country,bunit,category,pci_domain,is_expected,should_timesync,should_update,requires_av
                10.0.0.5,,wks-01,wks-01.corp.example,it,critical,,,,,finance,"workstation|pci",,,,,
                """);
        Files.writeString(l.resolve("identities.csv"), """
                identity,prefix,nick,first,last,suffix,email,phone,phone2,managedBy,priority,bunit,category,watchlist,startDate,endDate
                jdoe|john.doe,,,John,Doe,,jdoe@corp.example,,,,high,finance,"privileged|admin",true,,
                """);
        return Lookups.fromRulesDirectory(dir);
    }

    @Test
    void lookupsMatchCaseInsensitivelyOnHostDnsAndDomainUser(@TempDir Path dir) throws Exception {
        Lookups l = lookups(dir);
        assertEquals("critical", l.asset("WKS-01").priority());
        assertEquals("critical", l.asset("wks-01.CORP.example").priority());
        assertEquals(List.of("workstation", "pci"), l.asset("10.0.0.5").category());
        assertEquals("high", l.identity("CORP\\JDoe").priority());
        assertEquals("high", l.identity("john.doe").priority());
        assertEquals("high", l.identity("jdoe@corp.example").priority());
        assertNull(l.identity("CORP\\asmith"));
        assertNull(l.asset("WKS-02"));
    }

    @Test
    void defaultFactorsMultiplyAndAddAndAreListed(@TempDir Path dir) throws Exception {
        RuleSet rules = RiskStories.rules("", Map.of()).withLookups(lookups(dir));
        RiskStories.Run run = RiskStories.run(rules, List.of(event("2024-03-04T09:00:00Z", "whoami.exe /all")));
        Map<String, Object> system = run.risk().get(0).fields();
        // 20 x 1.5 (admin) x 1.5 (critical dest) x 1.25 (high-priority user) x 1.5 (watchlisted high-priority user)
        assertEquals(20 * 1.5 * 1.5 * 1.25 * 1.5, ((Number) system.get("calculated_risk_score")).doubleValue(), 1e-9);
        assertEquals(20, system.get("risk_score"));
        assertEquals(4, ((List<?>) system.get("risk_factors")).size());
        assertEquals("critical", system.get("dest_priority"));
        assertEquals(List.of("privileged", "admin"), system.get("user_category"));
        assertEquals(true, system.get("user_watchlist"));
        Map<String, Object> notable = run.detections().get(0).fields();
        assertEquals("critical", notable.get("dest_priority"));
        assertEquals("high", notable.get("user_priority"));
    }

    @Test
    void contractorAddsBeforeMultipliers(@TempDir Path dir) throws Exception {
        Path l = Files.createDirectories(dir.resolve("lookups"));
        Files.writeString(l.resolve("identities.csv"), "identity,priority,category,watchlist\njdoe,low,contractor,false\n");
        RuleSet rules = RiskStories.rules("", Map.of()).withLookups(Lookups.fromRulesDirectory(dir));
        RiskStories.Run run = RiskStories.run(rules, List.of(event("2024-03-04T09:00:00Z", "whoami.exe /all")));
        assertEquals(25L, run.risk().get(0).fields().get("calculated_risk_score"));
        assertEquals(List.of("Risk factor: Contractor User +5"), run.risk().get(0).fields().get("risk_factors"));
    }

    static Lookups assets(Path dir, String csv) throws Exception {
        Path l = Files.createDirectories(dir.resolve("lookups"));
        Files.writeString(l.resolve("assets.csv"), csv);
        return Lookups.fromRulesDirectory(dir);
    }

    @Test
    void ipMatchesCidrBlocksAndRangesFirstRowWinsAndAnExactAddressBeatsThem(@TempDir Path dir) throws Exception {
        Lookups l = assets(dir, """
                ip,mac,nt_host,dns,owner,priority,bunit,category
                10.0.0.0/24,,,,,high,it,server-subnet
                10.0.0.1-10.0.0.20,,,,,critical,ops,range
                10.0.0.5,,,,,low,it,exact
                192.168.15.9-192.169.15.27,,,,,medium,ops,wide
                2001:db8::/32|172.16.0.0/12,,,,,critical,lab,mixed
                """);
        assertEquals("low", l.asset("10.0.0.5").priority(), "the row naming the address itself");
        assertEquals("high", l.asset("10.0.0.7").priority(), "in the /24 and the range: the first row in the file");
        assertEquals(List.of("server-subnet"), l.asset("10.0.0.255").category());
        assertEquals("it", l.asset("10.0.0.200").bunit());
        assertNull(l.asset("10.0.1.1"));
        assertEquals("medium", l.asset("192.168.200.1").priority(), "a range across an octet boundary");
        assertEquals("medium", l.asset("192.169.15.27").priority(), "range ends are inclusive");
        assertNull(l.asset("192.169.15.28"));
        assertNull(l.asset("192.168.15.8"));
        assertEquals("critical", l.asset("2001:DB8::1").priority(), "IPv6, case-insensitive");
        assertEquals("lab", l.asset("172.31.255.254").bunit(), "the second block of a multivalued ip cell");
        assertNull(l.asset("172.32.0.1"));
        assertNull(l.asset("10"), "no single-number address forms");
    }

    @Test
    void hostNamesMatchNtHostAndDnsAcrossShortAndQualifiedForms(@TempDir Path dir) throws Exception {
        Lookups l = assets(dir, """
                ip,mac,nt_host,dns,owner,priority,bunit,category
                ,,WKS-02,,,high,finance,workstation
                ,,,srv-09.corp.example,,critical,it,server
                ,00:25:bc:42:f4:60,,,,medium,it,printer
                ,,,wks-02.lab.example,,low,lab,lab
                """);
        assertEquals("high", l.asset("wks-02").priority(), "nt_host, case-insensitive");
        assertEquals("high", l.asset("WKS-02.corp.example").priority(), "an FQDN dest by its first label's nt_host");
        assertEquals("low", l.asset("WKS-02.LAB.example").priority(), "an exact dns value beats the label");
        assertEquals("critical", l.asset("SRV-09.corp.example").priority(), "dns, case-insensitive");
        assertEquals("critical", l.asset("srv-09").priority(), "a short dest by the first label of a dns value");
        assertEquals("medium", l.asset("00:25:BC:42:F4:60").priority(), "mac");
        assertNull(l.asset("srv-09.other.example"), "an FQDN's label is matched against nt_host only");
        assertNull(l.asset("wks-0"));
    }

    @Test
    void identitiesMatchDomainUserUpnAndTheUserPartOfTheirEmail(@TempDir Path dir) throws Exception {
        Path l = Files.createDirectories(dir.resolve("lookups"));
        Files.writeString(l.resolve("identities.csv"), """
                identity,prefix,nick,first,last,suffix,email,phone,phone2,managedBy,priority,bunit,category,watchlist,startDate,endDate
                john.doe,,,John,Doe,,jdoe@corp.example,,,,high,finance,admin,true,,
                asmith,,,Ann,Smith,,,,,,low,it,contractor,false,,
                """);
        Lookups id = Lookups.fromRulesDirectory(dir);
        assertEquals("high", id.identity("John.Doe").priority(), "identity value");
        assertEquals("high", id.identity("CORP\\john.doe").priority(), "DOMAIN\\user");
        assertEquals("high", id.identity("john.doe@corp.example").priority(), "user@domain");
        assertEquals("high", id.identity("JDOE@corp.example").priority(), "email");
        assertEquals("high", id.identity("CORP\\jdoe").priority(), "the user part of the email");
        assertEquals("high", id.identity("jdoe").priority());
        assertEquals("low", id.identity("corp\\ASMITH").priority());
        assertNull(id.identity("CORP\\bsmith"));
        assertNull(id.identity("doe"));
    }

    @Test
    void anIpValueThatIsNoAddressNamesFileAndLine(@TempDir Path dir) {
        IOException e = assertThrows(IOException.class, () -> assets(dir, """
                ip,nt_host,priority
                10.0.0.1,wks-01,low
                10.0.0.300,wks-02,low
                """));
        assertTrue(e.getMessage().contains("assets.csv:3") && e.getMessage().contains("10.0.0.300"), e.getMessage());
        IOException r = assertThrows(IOException.class, () -> assets(dir, "ip,priority\n10.0.0.9-fe80::1,low\n"));
        assertTrue(r.getMessage().contains("assets.csv:2") && r.getMessage().contains("range"), r.getMessage());
    }

    @Test
    void aRiskEventOnAnAddressInACidrBlockIsEnrichedAndScored(@TempDir Path dir) throws Exception {
        Lookups l = assets(dir, "ip,priority,category,bunit\n10.20.0.0/16,critical,dmz|server,ops\n");
        RuleSet rules = RiskStories.rules("", Map.of()).withLookups(l);
        RiskStories.Run run = RiskStories.run(rules, List.of(io.procwatch.TestEvents.sysmon("2024-03-04T09:00:00Z",
                "whoami.exe /all", Map.of("Computer", "10.20.3.4", "Image", "C:\\Windows\\System32\\whoami.exe"))));
        Map<String, Object> system = run.risk().stream().filter(r -> "system".equals(r.fields().get("risk_object_type")))
                .findFirst().orElseThrow().fields();
        assertEquals("10.20.3.4", system.get("risk_object"));
        assertEquals("critical", system.get("dest_priority"));
        assertEquals(List.of("dmz", "server"), system.get("dest_category"));
        assertEquals(30L, system.get("calculated_risk_score"), "20 x 1.5 (Critical Priority Destination)");
        assertEquals("critical", run.detections().get(0).fields().get("dest_priority"));
    }
}
