package io.procwatch.risk;

import io.procwatch.detect.RuleSet;
import io.procwatch.lookup.Lookups;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.procwatch.risk.RiskStories.event;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

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
}
