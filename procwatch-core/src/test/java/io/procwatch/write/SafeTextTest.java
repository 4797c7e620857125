package io.procwatch.write;

import io.procwatch.read.PrintableText;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** CSV formula neutralisation and terminal control characters. */
class SafeTextTest {

    @Test
    void formulaCellsGetAQuote() {
        assertEquals("'=1+1", CsvCells.cell("=1+1"));
        assertEquals("'+cmd", CsvCells.cell("+cmd"));
        assertEquals("'-2+3", CsvCells.cell("-2+3"));
        assertEquals("'@SUM(A1)", CsvCells.cell("@SUM(A1)"));
        assertEquals("'\tx", CsvCells.cell("\tx"));
        assertEquals("\"'\rx\"", CsvCells.cell("\rx"));
        assertEquals("\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"", CsvCells.cell("=HYPERLINK(\"http://x\",\"y\")"));
        assertEquals("a=b", CsvCells.cell("a=b"));
        assertEquals("", CsvCells.cell(""));
    }

    @Test
    void controlCharactersAreShownNotSent() {
        assertEquals("a\\x1b[31mred\\x07", PrintableText.clean("a\u001b[31mred\u0007"));
        assertEquals("x\\x9by", PrintableText.clean("x\u009by"));
        assertEquals("l1\\x0al2", PrintableText.clean("l1\nl2"));
        assertEquals("l1\nl2\\x0d", PrintableText.cleanKeepLines("l1\nl2\r"));
        assertEquals("plain ä €", PrintableText.clean("plain ä €"));
    }
}
