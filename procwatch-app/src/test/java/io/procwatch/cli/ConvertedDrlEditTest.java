package io.procwatch.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.parallel.Isolated;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A converted Sigma rule is DRL that Drools evaluates: an edit of its {@code when} changes what it matches (the
 * prefilter's guard follows the edit, since it is derived from the compiled constraints), and a broken edit is
 * a compile error at file:line, exit 3, from {@code validate} and {@code scan} alike.
 */
@Isolated("captures System.out and System.err")
class ConvertedDrlEditTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ID = "0a7c3c1e-6c55-4f3e-9d7e-5b6c2f0e0011";
    /** The converted rule's constraint. */
    private static final String WHEN = "lc( \"CommandLine\" ) contains \"-nographic\"";

    /** rules-drl/ plus the converted headless-QEMU Sigma rule (and its prefilter file) in one folder. */
    private static Path rulesWithConverted(Path dir) throws Exception {
        Path sigma = Files.createDirectories(dir.resolve("sigma"));
        Files.writeString(sigma.resolve("headless.yml"), "title: QEMU without a display\nid: " + ID + "\nlevel: high\n"
                + "logsource: {category: process_creation, product: windows}\n"
                + "detection:\n  sel:\n    CommandLine|contains: '-nographic'\n  condition: sel\n");
        Path rules = Files.createDirectories(dir.resolve("rules"));
        try (var s = Files.list(Path.of("rules-drl"))) {
            for (Path p : s.filter(p -> p.toString().endsWith(".drl")).toList()) {
                Files.copy(p, rules.resolve(p.getFileName()));
            }
        }
        assertEquals(ExitCodes.OK, ScanCommandTest.run(new ByteArrayOutputStream(), "sigma", "convert", sigma.toString(),
                "--out", rules.toString()));
        assertTrue(Files.exists(rules.resolve("sigma_prefilter.drl")));
        return rules;
    }

    /** The converted rule's match count on the bundled examples, scanning with {@code --rules rules}. */
    private static int matches(Path rules, Path stats) throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(ExitCodes.OK, ScanCommandTest.run(err, "scan", "-q", "--rules", rules.toString(), "--stats",
                stats.toString(), "-o", stats.resolveSibling("n.ndjson").toString(), "examples"), err.toString());
        JsonNode r = JSON.readTree(stats.toFile()).get("per_rule").get(ID);
        return r == null ? 0 : r.get("matches").asInt();
    }

    @Test
    void anEditedWhenBehavesAsEdited(@TempDir Path dir) throws Exception {
        Path rules = rulesWithConverted(dir);
        Path drl = rules.resolve("headless.drl");
        String text = Files.readString(drl);
        assertTrue(text.contains(WHEN), text);
        int asConverted = matches(rules, dir.resolve("s0.json"));
        assertTrue(asConverted > 0, "the examples hold -nographic command lines");

        // A needle no example has: nothing matches.
        Files.writeString(drl, text.replace(WHEN, "lc( \"CommandLine\" ) contains \"-nographic-nowhere\""));
        assertEquals(0, matches(rules, dir.resolve("s1.json")));

        // A needle the converted guard never had (qemu-system): the rule now matches what the edit says, so the
        // prefilter's guard follows the edit.
        Files.writeString(drl, text.replace(WHEN, "lc( \"CommandLine\" ) contains \"qemu-system\""));
        int edited = matches(rules, dir.resolve("s2.json"));
        assertTrue(edited > 0, "the edited needle matches");

        // And the comment above the constraints changes nothing.
        Files.writeString(drl, text.replace("// Drools evaluates these constraints.", "// lc(\"CommandLine\") contains \"x\""));
        assertEquals(asConverted, matches(rules, dir.resolve("s3.json")));
    }

    @Test
    void aBrokenConvertedRuleIsACompileErrorAtFileAndLine(@TempDir Path dir) throws Exception {
        Path rules = rulesWithConverted(dir);
        Path drl = rules.resolve("headless.drl");
        String text = Files.readString(drl);
        Files.writeString(drl, text.replace(WHEN, "lc( \"CommandLine\" ) containz \"-nographic\""));
        int line = 1 + (int) text.substring(0, text.indexOf(WHEN)).chars().filter(c -> c == '\n').count();

        ByteArrayOutputStream err = new ByteArrayOutputStream();
        java.io.PrintStream old = System.out;
        System.setOut(new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
        int code;
        try {
            code = ScanCommandTest.run(err, "validate", "--rules", rules.toString());
        } finally {
            System.setOut(old);
        }
        assertEquals(ExitCodes.RULES, code, err.toString());
        assertTrue(err.toString().contains(drl + ":"), err.toString());

        ByteArrayOutputStream scanErr = new ByteArrayOutputStream();
        assertEquals(ExitCodes.RULES, ScanCommandTest.run(scanErr, "scan", "-q", "--rules", rules.toString(), "examples"));
        assertTrue(scanErr.toString().contains(drl + ":"), scanErr.toString());
        assertTrue(err.toString().contains("headless.drl:" + line), "the edited line " + line + ": " + err);
    }
}
