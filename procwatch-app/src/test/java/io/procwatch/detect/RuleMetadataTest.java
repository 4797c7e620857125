package io.procwatch.detect;

import io.procwatch.time.ScheduleWindow;
import io.procwatch.toolkit.RuleValidator;
import io.procwatch.toolkit.ValidationIssue;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The one metadata parser behind the engine's catalog and {@code validate}. */
class RuleMetadataTest {

    private static Map<String, String> minimal() {
        Map<String, String> m = new HashMap<>();
        m.put("id", "3b1f7c52-9d0e-4c1a-8f7e-2a6d5e4b9c01");
        m.put("title", "T");
        m.put("description", "D");
        m.put("riskScore", "40");
        m.put("riskObject", "dest");
        m.put("riskMessage", "on $dest$");
        m.put("mitre", "T1090");
        m.put("groupBy", "dest CommandLine");
        return m;
    }

    @Test
    void defaultsLiveInOnePlace() {
        RuleMetadata.Result r = new RuleMetadata(null).read("rule", "pkg", minimal());
        DetectionRule d = r.rule();
        assertNotNull(d, r.problems().toString());
        assertEquals(RuleMetadata.DEFAULT_RISK_OBJECT_TYPE, d.riskObjectType());
        assertEquals(RuleMetadata.DEFAULT_SECURITY_DOMAIN, d.securityDomain());
        assertEquals(ScheduleWindow.fromSplunk(ScheduleWindow.DEFAULT_SCHEDULE, ScheduleWindow.DEFAULT_EARLIEST,
                ScheduleWindow.DEFAULT_LATEST), d.window());
        assertEquals(List.of("dest", "CommandLine"), d.groupBy());
        assertEquals(List.of(), r.problems());
    }

    @Test
    void refusedProblemsStopTheEngineOthersOnlyValidate() {
        Map<String, String> m = minimal();
        m.put("id", "not-a-uuid");            // validate: error; the engine can still run it
        m.put("groupBy", "dest Komputer");    // unknown field: validate error (with a field list)
        m.put("securityDomain", "moon");      // warning
        RuleMetadata.Result engine = new RuleMetadata(null).read("rule", "pkg", m);
        assertNotNull(engine.rule());
        RuleMetadata.Result validate = new RuleMetadata(f -> !f.equals("Komputer")).read("rule", "pkg", m);
        assertTrue(validate.problems().stream().anyMatch(p -> p.error() && !p.refused() && p.annotation().equals("id")));
        assertTrue(validate.problems().stream().anyMatch(p -> p.error() && p.message().contains("'Komputer'")));
        assertTrue(validate.problems().stream().anyMatch(p -> !p.error() && p.annotation().equals("securityDomain")));

        m.put("latest", "-2h");               // before earliest: neither can honour it
        RuleMetadata.Result refused = new RuleMetadata(null).read("rule", "pkg", m);
        assertNull(refused.rule());
        assertTrue(refused.refusal().contains("is before earliest"), refused.refusal());
        assertEquals("latest", refused.problems().stream().filter(RuleMetadata.Problem::refused).findFirst()
                .orElseThrow().annotation());
    }

    @Test
    void catalogAndValidateReportTheSameRefusalAtTheSameRule() throws Exception {
        Map<Path, String> files = new LinkedHashMap<>(RuleSet.readDrlFiles(Path.of("rules-drl")));
        Path det = Path.of("rules-drl", "windows_suspicious_qemu_execution.drl");
        String text = files.get(det).replace("@latest( \"-10m@m\" )", "@latest( \"-3h\" )");
        files.put(det, text);
        RuleCompileException e = assertThrows(RuleCompileException.class, () -> RuleSet.compile(files, "test"));
        RuleProblem engine = e.problems().get(0);
        assertTrue(engine.message().contains("latest '-3h' is before earliest '-70m@m'"), engine.toString());
        List<ValidationIssue> issues = RuleValidator.validate(files, null);
        ValidationIssue v = issues.stream().filter(ValidationIssue::isError).findFirst().orElseThrow();
        assertTrue(v.toString().contains("latest '-3h' is before earliest '-70m@m'"), v.toString());
        // validate points at the annotation, the engine at the rule: both in the same file.
        assertEquals(det.toString(), engine.file());
        assertTrue(v.toString().startsWith(det + ":" + (text.substring(0, text.indexOf("@latest")).split("\n").length) + ":"),
                v.toString());
    }
}
