package io.procwatch.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.parallel.Isolated;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code procwatch scan} against generated hostile inputs beside the bundled examples: each costs only itself (its
 * bad record rejected with file:line, or the input failed with a reason) and the examples' four notables are
 * still written. The big inputs are generated streaming, as concatenated gzip members of one compressed megabyte,
 * so a 3 GB line takes 3 MB on disk and no memory to make.
 */
@Isolated("captures System.err")
class ScanHostileInputTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** An event that is not a process creation: counted as other, proves reading went on after the bad record. */
    private static final String LOGON = "{\"EventID\":4624,\"Channel\":\"Security\",\"Computer\":\"WKS-1\","
            + "\"@timestamp\":\"2024-03-04T12:20:31Z\"}";

    /** One gzip member holding {@code mb} megabytes of 'A'. */
    private static byte[] megabytesOfA(int mb) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(b, 1 << 16)) {
            byte[] a = new byte[1 << 20];
            java.util.Arrays.fill(a, (byte) 'A');
            for (int i = 0; i < mb; i++) {
                z.write(a);
            }
        }
        return b.toByteArray();
    }

    private static byte[] gzip(String text) throws IOException {
        return gzip(text.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(b)) {
            z.write(data);
        }
        return b.toByteArray();
    }

    /** A gzip member without compression (stored blocks): 5,000 layers in one second instead of forty. */
    private static byte[] storedGzip(byte[] data) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream(data.length + 64);
        try (GZIPOutputStream z = new GZIPOutputStream(b) {
            {
                def.setLevel(java.util.zip.Deflater.NO_COMPRESSION);
            }
        }) {
            z.write(data);
        }
        return b.toByteArray();
    }

    /** head, then {@code megabytes} MB of 'A', then tail: a gzip file of concatenated members. */
    private static Path longGz(Path file, String head, long megabytes, String tail) throws IOException {
        byte[] member = megabytesOfA(16);
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(gzip(head));
            for (long i = 0; i < megabytes / 16; i++) {
                out.write(member);
            }
            out.write(gzip(tail));
        }
        return file;
    }

    static String stderr(ByteArrayOutputStream err) {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void aThreeGigabyteLineAThreeHundredMegabyteStringAndFiveThousandGzipLayersCostOnlyThemselves(@TempDir Path dir)
            throws Exception {
        // 1. A 3 GB JSON line in a 3 MB .gz, then a good line.
        Path line3g = longGz(dir.resolve("line3g.json.gz"), "{\"EventID\":1,\"CommandLine\":\"", 3 * 1024,
                "\"}\n" + LOGON + "\n");
        assertTrue(Files.size(line3g) < 8 << 20, Files.size(line3g) + " bytes");
        // 2. A pretty-printed (evtx_dump style) object whose string value is 300 MB, then a good object.
        Path string300m = longGz(dir.resolve("string300m.json.gz"), "{\n  \"Event\": {\n    \"EventData\": {\"CommandLine\": \"",
                304, "\"}}}\n" + LOGON.replace(",", ",\n") + "\n");
        // 3. 5,000 gzip layers around a good event.
        byte[] nested = (LOGON + "\n").getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < 5_000; i++) {
            nested = storedGzip(nested);
        }
        Path layers = Files.write(dir.resolve("layers.gz"), nested);

        Path out = dir.resolve("notables.ndjson");
        Path stats = dir.resolve("stats.json");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        long t0 = System.nanoTime();
        int code = ScanCommandTest.run(err, "scan", "--no-progress", "--out", out.toString(), "--stats", stats.toString(),
                line3g.toString(), string300m.toString(), layers.toString(), "examples");
        long seconds = (System.nanoTime() - t0) / 1_000_000_000;
        String e = stderr(err);
        assertEquals(ExitCodes.INPUT, code, e);   // the 5,000-layer file failed; the rest was read
        assertEquals(4, Files.readAllLines(out).size(), e);
        assertTrue(e.contains(line3g + ":1: line longer than 16777216 characters"), e);
        assertTrue(e.contains(string300m + ":1: JSON object longer than 16777216 characters; skipped"), e);
        assertTrue(e.contains(layers + ": containers nested more than 8 deep"), e);
        JsonNode s = JSON.readTree(stats.toFile());
        assertEquals(2, s.get("rejected").asInt(), s.toString());
        assertEquals(12 + 2 + 2, s.get("events").asInt(), s.toString());     // the good lines after the bad ones
        assertEquals(1, s.get("inputs_failed").asInt(), s.toString());
        System.out.println("hostile scan: 3 GB line + 300 MB string + 5,000 layers + examples in " + seconds + " s");
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void utf16WithAndWithoutBomIsReadAndControlCharactersAreNotEchoed(@TempDir Path dir) throws Exception {
        Path in = Files.createDirectories(dir.resolve("in"));
        String json = Files.readString(Path.of("examples/02-security-4688.json"));
        String xml = Files.readString(Path.of("examples/01-sysmon-qemu.xml"));
        // PowerShell 5: Out-File writes UTF-16LE with a BOM.
        byte[] bom = {(byte) 0xFF, (byte) 0xFE};
        byte[] le = json.getBytes(StandardCharsets.UTF_16LE);
        byte[] withBom = new byte[le.length + 2];
        System.arraycopy(bom, 0, withBom, 0, 2);
        System.arraycopy(le, 0, withBom, 2, le.length);
        Files.write(in.resolve("a-security.json"), withBom);
        Files.write(in.resolve("b-sysmon.xml"), xml.getBytes(StandardCharsets.UTF_16BE));   // no BOM
        Files.writeString(in.resolve("c-bad.json"), "{\"EventID\": \u001b[2J\u0007oops}\n");
        Path out = dir.resolve("n.ndjson");
        Path stats = dir.resolve("s.json");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = ScanCommandTest.run(err, "scan", "--no-progress", "--out", out.toString(), "--stats", stats.toString(),
                in.toString());
        String e = stderr(err);
        assertEquals(ExitCodes.OK, code, e);
        assertEquals(4, Files.readAllLines(out).size(), e);
        JsonNode s = JSON.readTree(stats.toFile());
        assertEquals(12 + 1, s.get("events").asInt(), s.toString());
        assertEquals(0, s.get("inputs_skipped").asInt(), s.toString());
        assertTrue(e.contains("c-bad.json:1: "), e);
        assertFalse(e.contains("\u001b") || e.contains("\u0007"), "raw ESC/BEL echoed: " + e);
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void unreadableEntriesAndPipesInADirectoryAreReportedAndTheRestIsRead(@TempDir Path dir) throws Exception {
        Path in = Files.createDirectories(dir.resolve("in"));
        Files.copy(Path.of("examples/02-security-4688.json"), in.resolve("a.json"));
        Path locked = Files.createDirectories(in.resolve("b-locked"));
        Files.copy(Path.of("examples/01-sysmon-qemu.xml"), locked.resolve("x.xml"));
        Files.copy(Path.of("examples/01-sysmon-qemu.xml"), in.resolve("c.xml"));
        boolean fifo = new ProcessBuilder("mkfifo", in.resolve("d-fifo").toString()).start().waitFor() == 0;
        // Unreadable even for root: reading /proc/self/mem at offset 0 fails with an I/O error.
        Files.createSymbolicLink(in.resolve("e-mem.json"), Path.of("/proc/self/mem"));
        Files.createSymbolicLink(in.resolve("f-dangling.json"), in.resolve("nowhere"));
        locked.toFile().setReadable(false, false);
        locked.toFile().setExecutable(false, false);
        boolean root = Files.isReadable(locked.resolve("x.xml"));
        try {
            Path stats = dir.resolve("s.json");
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int code = ScanCommandTest.run(err, "scan", "--no-progress", "--out", dir.resolve("n.ndjson").toString(),
                    "--stats", stats.toString(), in.toString());
            String e = stderr(err);
            assertEquals(ExitCodes.INPUT, code, e);
            JsonNode s = JSON.readTree(stats.toFile());
            if (!root) {
                assertTrue(e.contains(locked + ": cannot list directory: permission denied"), e);
                assertEquals(12, s.get("events").asInt(), e);       // a.json and c.xml
            } else {
                System.out.println("NOTICE: running as root, the locked directory is readable; checked /proc/self/mem only");
            }
            assertTrue(e.contains("e-mem.json: cannot read: "), e);
            assertFalse(e.contains("cannot read: null"), e);
            assertTrue(e.contains("f-dangling.json: cannot read: broken symbolic link"), e);
            if (fifo) {
                assertTrue(e.contains("d-fifo: skipped: not a regular file"), e);
            }
        } finally {
            locked.toFile().setReadable(true, false);
            locked.toFile().setExecutable(true, false);
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aFifoNamedOnTheCommandLineIsReadAsAStream(@TempDir Path dir) throws Exception {
        Path fifo = dir.resolve("events.fifo");
        Assumptions.assumeTrue(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor() == 0,
                "NOTICE: mkfifo not available");
        // Gzip through the pipe: GZIPInputStream asks the stream for available(), which a pipe cannot answer.
        byte[] body = gzip(Files.readAllBytes(Path.of("examples/02-security-4688.json")));
        Thread writer = new Thread(() -> {
            try (OutputStream o = Files.newOutputStream(fifo)) {
                o.write(body);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        writer.start();
        Path stats = dir.resolve("s.json");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = ScanCommandTest.run(err, "scan", "--no-progress", "--out", dir.resolve("n.ndjson").toString(),
                "--stats", stats.toString(), fifo.toString());
        writer.join();
        assertEquals(ExitCodes.OK, code, stderr(err));
        assertEquals(3, JSON.readTree(stats.toFile()).get("events").asInt(), stderr(err));
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void dashReadsStandardInput(@TempDir Path dir) throws Exception {
        java.io.InputStream old = System.in;
        System.setIn(new java.io.ByteArrayInputStream(Files.readAllBytes(Path.of("examples/02-security-4688.json"))));
        try {
            Path stats = dir.resolve("s.json");
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int code = ScanCommandTest.run(err, "scan", "--no-progress", "--out", dir.resolve("n.ndjson").toString(),
                    "--stats", stats.toString(), "-");
            assertEquals(ExitCodes.OK, code, stderr(err));
            assertEquals(3, JSON.readTree(stats.toFile()).get("events").asInt(), stderr(err));
        } finally {
            System.setIn(old);
        }
    }

    static List<String> lines(Path p) throws IOException {
        return Files.readAllLines(p);
    }

    /**
     * Mounts a tmpfs of {@code kb} KB at {@code dir} (as root, as on this machine and in CI); null with a NOTICE when
     * this system does not allow it.
     */
    static Path smallDisk(Path dir, int kb) throws Exception {
        Path mnt = Files.createDirectories(dir.resolve("disk"));
        Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=" + kb + "k", "tmpfs", mnt.toString())
                .redirectErrorStream(true).start();
        String why = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (!p.waitFor(20, TimeUnit.SECONDS) || p.exitValue() != 0) {
            System.out.println("NOTICE: cannot mount a small tmpfs (" + why + "); full-disk test skipped");
            return null;
        }
        return mnt;
    }

    static void unmount(Path mnt) throws Exception {
        new ProcessBuilder("umount", "-l", mnt.toString()).redirectErrorStream(true).start().waitFor(20, TimeUnit.SECONDS);
    }

    /** Fills the disk to the last byte; returns the filler file (delete it and space returns). */
    static Path fill(Path mnt) throws IOException {
        Path filler = mnt.resolve("filler");
        byte[] kb = new byte[1024];
        try (OutputStream o = Files.newOutputStream(filler)) {
            while (true) {
                o.write(kb);
                o.flush();
            }
        } catch (IOException full) {
            return filler;
        }
    }

    static String waitFor(ByteArrayOutputStream err, String text, long seconds) throws InterruptedException {
        long until = System.nanoTime() + seconds * 1_000_000_000L;
        while (!stderr(err).contains(text) && System.nanoTime() < until) {
            Thread.sleep(50);
        }
        return stderr(err);
    }

    static void assertWholeNotables(Path out) throws IOException {
        String text = Files.readString(out);
        assertTrue(text.isEmpty() || text.endsWith("\n"), "a torn line at the end: " + text);
        for (String l : text.lines().toList()) {
            assertTrue(JSON.readTree(l).has("rule_id"), "a whole notable per line: " + l);
        }
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void aFullOutDiskKeepsTheNotablesWritesThemWhenSpaceReturnsAndNeverTearsALine(@TempDir Path dir) throws Exception {
        Path mnt = smallDisk(dir, 64);
        Assumptions.assumeTrue(mnt != null, "NOTICE: no small tmpfs");
        try {
            // 1. The disk is full with one page (4 KB) left: the first notables fit, one is cut at the page's end
            //    (and cut back), the rest wait; then space returns while the scan waits (--out-wait).
            Path filler = fill(mnt);
            try (java.nio.channels.FileChannel c = java.nio.channels.FileChannel.open(filler,
                    java.nio.file.StandardOpenOption.WRITE)) {
                c.truncate(c.size() - 4096);
            }
            Path out = mnt.resolve("notables.ndjson");
            Path stats = dir.resolve("stats.json");
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            Path many = Files.createDirectories(dir.resolve("in"));
            for (int i = 0; i < 4; i++) {        // notables of more than one page
                Files.writeString(many.resolve("h" + i + ".json"), Files.readString(Path.of("examples/02-security-4688.json"))
                        .replace("WKS-", "H" + i + "-"));
            }
            java.util.concurrent.CompletableFuture<Integer> scan = java.util.concurrent.CompletableFuture.supplyAsync(() ->
                    ScanCommandTest.run(err, "scan", "--no-progress", "--out", out.toString(), "--out-wait", "60s",
                            "--stats", stats.toString(), many.toString()));
            String e = waitFor(err, "waiting up to 60 s", 120);
            assertTrue(e.contains(out + ": cannot write notables (No space left on device); keeping them"), e);
            assertWholeNotables(out);
            long before = Files.readAllLines(out).size();
            Files.delete(filler);                                    // space returns
            int code = scan.get(60, TimeUnit.SECONDS);
            e = stderr(err);
            assertEquals(ExitCodes.OK, code, e);
            assertTrue(e.contains(out + ": writable again"), e);
            assertWholeNotables(out);
            JsonNode s = JSON.readTree(stats.toFile());
            assertEquals(s.get("notables").asLong(), Files.readAllLines(out).size(), e);
            JsonNode o = s.get("output");
            assertTrue(o.get("write_failures").asLong() >= 1, o.toString());
            assertEquals(s.get("notables").asLong() - before, o.get("notables_delayed").asLong(), o.toString());
            assertEquals(0, o.get("notables_lost").asLong(), o.toString());
            assertTrue(e.contains("notables waited for " + out), e);
            System.out.println("full disk: " + before + " of " + s.get("notables") + " notables fitted, the rest written when space returned: " + o);

            // 2. The disk stays full past --out-wait: the notables kept are reported lost, exit 6, no torn line.
            Files.delete(out);
            fill(mnt);
            ByteArrayOutputStream err2 = new ByteArrayOutputStream();
            code = ScanCommandTest.run(err2, "scan", "--no-progress", "--out", out.toString(), "--out-wait", "1s",
                    "--stats", stats.toString(), many.toString());
            e = stderr(err2);
            assertEquals(ExitCodes.OUTPUT, code, e);
            s = JSON.readTree(stats.toFile());
            assertWholeNotables(out);
            assertEquals(s.get("notables").asLong(), s.get("output").get("notables_lost").asLong(), e);
            assertTrue(e.contains("notables could not be written before closing (No space left on device); lost"), e);
        } finally {
            unmount(mnt);
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void backtrackingSigmaPatternsAreBoundedReportedAndInTheStats(@TempDir Path dir) throws Exception {
        Path sigma = io.procwatch.serve.ServeHostileTest.backtrackingSigmaRules(dir);
        Path in = dir.resolve("hostile.json");
        Files.writeString(in, io.procwatch.serve.ServeHostileTest.event("b " + "a".repeat(48) + "c", 1) + "\n"
                + io.procwatch.serve.ServeHostileTest.event("a".repeat(40) + "!", 2) + "\n"
                + io.procwatch.serve.ServeHostileTest.event("a".repeat(41), 3) + "\n");
        Path stats = dir.resolve("s.json");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = ScanCommandTest.run(err, "scan", "--no-progress", "--sigma", sigma.toString(), "--out",
                dir.resolve("n.ndjson").toString(), "--stats", stats.toString(), in.toString());
        String e = stderr(err);
        assertEquals(ExitCodes.OK, code, e);
        assertTrue(e.contains("Sigma rule " + io.procwatch.serve.ServeHostileTest.BACKREF_RULE + " disabled"), e);
        JsonNode s = JSON.readTree(stats.toFile());
        assertEquals(3, s.get("process_events").asInt(), s.toString());
        JsonNode rx = s.get("sigma_regex");
        assertEquals(1, rx.get("patterns_moved_to_linear_engine").asInt(), rx.toString());
        assertEquals(io.procwatch.serve.ServeHostileTest.BACKREF_RULE, rx.get("rules_disabled").get(0).asText(), rx.toString());
        assertEquals(2, s.get("per_rule").get(io.procwatch.serve.ServeHostileTest.LINEAR_RULE).get("matches").asInt(),
                "RE2/J still matches the two command lines ending in a word character, not the one ending in '!': " + s);
    }
}
