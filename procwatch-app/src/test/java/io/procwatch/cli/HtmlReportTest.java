package io.procwatch.cli;

import org.junit.jupiter.api.parallel.Isolated;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.procwatch.cli.ScanCommandTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * scan --html: the report loaded in headless Chromium (Debian's chromium, installed by .ci/run) shows the figures,
 * the chart and the tables, and its filters hide what they should. Skipped with a NOTICE without Chromium.
 */
@Isolated("captures System.err")
class HtmlReportTest {

    static String chromium;
    @TempDir
    static Path dir;
    static Path report;

    @BeforeAll
    static void scan() throws Exception {
        for (String c : List.of("chromium", "chromium-browser")) {
            for (String p : System.getenv().getOrDefault("PATH", "").split(":")) {
                if (chromium == null && Files.isExecutable(Path.of(p, c))) {
                    chromium = Path.of(p, c).toString();
                }
            }
        }
        // A detected event whose command line is markup: the report must show it as text.
        Path hostile = Files.writeString(dir.resolve("hostile.json"), "{\"EventID\":1,\"Channel\":"
                + "\"Microsoft-Windows-Sysmon/Operational\",\"@timestamp\":\"2024-03-05T09:00:00Z\",\"Computer\":\"WKS-X\","
                + "\"CommandLine\":\"qemu.exe -m 2M -netdev restrict=off -netdev connect=1 -nographic "
                + "<img src=x onerror=alert(1)><script>document.title='owned'</script>\"}\n");
        report = dir.resolve("out/report.html");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(ExitCodes.OK, run(err, "scan", "-q", "-o", dir.resolve("n.ndjson").toString(), "--html",
                report.toString(), "examples", hostile.toString()), err.toString());
    }

    /** The DOM after the page's scripts ran, with the URL fragment given. */
    static String dom(String fragment) throws Exception {
        Assumptions.assumeTrue(chromium != null, () -> {
            System.out.println("NOTICE: chromium not found on PATH; HtmlReportTest skipped (.ci/run installs it)");
            return "chromium not installed";
        });
        List<String> cmd = new ArrayList<>(List.of(chromium, "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking", "--disable-extensions", "--no-first-run",
                "--user-data-dir=" + dir.resolve("profile"), "--dump-dom", report.toUri() + fragment));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(90, TimeUnit.SECONDS), "chromium did not finish");
        String dom = new String(out, StandardCharsets.UTF_8);
        assertTrue(dom.contains("</html>"), "no DOM from chromium: " + dom);
        return dom;
    }

    /** The rows of table {@code id}, as {shown?, text}. */
    static List<String[]> rows(String dom, String id) {
        int start = dom.indexOf("<table id=\"" + id + "\"");
        String table = dom.substring(start, dom.indexOf("</table>", start));
        List<String[]> rows = new ArrayList<>();
        Matcher m = Pattern.compile("<tr data-level=\"[a-z]+\"( style=\"display: none;\")?>(.*?)</tr>", Pattern.DOTALL)
                .matcher(table);
        while (m.find()) {
            rows.add(new String[]{m.group(1) == null ? "shown" : "hidden", m.group(2)});
        }
        return rows;
    }

    @Test
    void selfContainedWithFiguresChartAndTables() throws Exception {
        String html = Files.readString(report);
        assertFalse(Pattern.compile("\\s(src|href)\\s*=\\s*\"").matcher(html).find(), "loads nothing");
        assertTrue(html.contains("default-src 'none'"), "a CSP forbids network access");
        String dom = dom("");
        assertTrue(dom.contains("<dt>notables</dt><dd>5</dd>"), dom);
        assertTrue(dom.contains("<dt>matches</dt><dd>6</dd>"), dom);
        assertEquals(5, rows(dom, "notables").size());
        assertEquals(6, rows(dom, "timeline").size());
        assertTrue(rows(dom, "timeline").stream().allMatch(r -> r[0].equals("shown")));
        assertTrue(dom.contains("5 of 5 shown") && dom.contains("6 of 6 shown"), dom);
        // the chart: one bar per bucket with matches (10:50, 10:55, 11:05, 11:50, 12:20 on 03-04; 09:00 on 03-05)
        Matcher bars = Pattern.compile("<rect [^>]*data-level=\"medium\"").matcher(dom);
        int n = 0;
        while (bars.find()) {
            n++;
        }
        assertTrue(n >= 3 && n <= 6, "bars: " + n);
        assertTrue(dom.contains("<svg id=\"chart\""), dom);
        // the hostile command line is text, not markup: no injected element ran or exists
        assertTrue(dom.contains("&lt;img src=x onerror=alert(1)&gt;&lt;script&gt;"), dom);
        assertFalse(dom.contains("<img"), dom);
        assertFalse(dom.contains("<title>owned</title>"), dom);
        assertEquals(1, dom.split("<script>", -1).length - 1, "only the report's own script");
    }

    @Test
    void filtersHideWhatDoesNotMatch() throws Exception {
        String dom = dom("#q=srv-db-02");
        List<String[]> notables = rows(dom, "notables");
        assertEquals(1, notables.stream().filter(r -> r[0].equals("shown")).count());
        for (String[] r : notables) {
            assertEquals(r[1].contains("SRV-DB-02") ? "shown" : "hidden", r[0], r[1]);
        }
        assertTrue(dom.contains("1 of 5 shown"), dom);
        List<String[]> timeline = rows(dom, "timeline");
        assertEquals(1, timeline.stream().filter(r -> r[0].equals("shown")).count());

        String words = dom("#q=qemu%20WKS-FIN-07%20jdoe");
        assertTrue(rows(words, "timeline").stream().filter(r -> r[0].equals("shown"))
                .allMatch(r -> r[1].contains("WKS-FIN-07") && r[1].contains("jdoe")), words);
        assertTrue(words.contains("3 of 6 shown"), words);

        String high = dom("#level=high");
        assertTrue(rows(high, "notables").stream().allMatch(r -> r[0].equals("hidden")));
        assertTrue(high.contains("0 of 5 shown") && high.contains("0 of 6 shown"), high);
    }
}
