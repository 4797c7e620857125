package io.procwatch.bench;

import org.junit.jupiter.api.parallel.Isolated;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Isolated("captures System.out")
class BenchCommandTest {

    @Test
    void sigmaNamesAMissingFolder() {
        StringWriter err = new StringWriter();
        java.io.PrintStream saved = System.err;
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(bytes, true));
        int code;
        try {
            code = new CommandLine(new BenchCommand()).setErr(new PrintWriter(err)).execute("--sigma", "no/such/sigma");
        } finally {
            System.setErr(saved);
        }
        assertEquals(4, code);
        assertTrue(bytes.toString().contains("no/such/sigma: no such file or directory"), bytes.toString());
    }
}
