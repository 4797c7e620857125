package io.procwatch.read;

import java.nio.charset.StandardCharsets;

/** What an input holds, decided from its first bytes rather than its name. */
public enum InputFormat {
    EVTX, XML, JSON, GZIP, ZIP, TAR, EMPTY, UNKNOWN,
    /** Splunk's classic (non-XML) WinEventLog text: a time line, then {@code Key=Value} lines. */
    CLASSIC;

    /** Bytes to look at: enough for the tar magic at offset 257. */
    public static final int SNIFF_BYTES = 512;

    /** Decides the format from the first {@code n} bytes of an input. */
    public static InputFormat sniff(byte[] head, int n) {
        if (n <= 0) {
            return EMPTY;
        }
        if (startsWith(head, n, "ElfFile\0".getBytes(StandardCharsets.US_ASCII))) {
            return EVTX;
        }
        if (n >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) {
            return GZIP;
        }
        if (n >= 4 && head[0] == 'P' && head[1] == 'K' && (head[2] == 3 || head[2] == 5) && (head[3] == 4 || head[3] == 6)) {
            return ZIP;
        }
        if (n >= 262 && new String(head, 257, 5, StandardCharsets.US_ASCII).equals("ustar")) {
            return TAR;
        }
        int i = 0;
        if (n >= 3 && (head[0] & 0xff) == 0xEF && (head[1] & 0xff) == 0xBB && (head[2] & 0xff) == 0xBF) {
            i = 3; // UTF-8 byte order mark
        }
        while (i < n && Character.isWhitespace(head[i])) {
            i++;
        }
        if (i == n) {
            return EMPTY;
        }
        return switch (head[i]) {
            case '<' -> XML;
            // '"': a JSON string holding event XML, as some exports write it.
            case '{', '[', '"' -> JSON;
            default -> {
                String text = new String(head, i, n - i, StandardCharsets.ISO_8859_1);
                yield commentedXml(text) ? XML : ClassicEventParser.looksClassic(text) ? CLASSIC : UNKNOWN;
            }
        };
    }

    /**
     * True when the first {@code n} bytes already decide the format without more input: the first significant
     * byte opens JSON or XML (no binary format or archive starts that way).
     */
    static boolean decidedEarly(byte[] head, int n) {
        int i = 0;
        if (n >= 3 && (head[0] & 0xff) == 0xEF && (head[1] & 0xff) == 0xBB && (head[2] & 0xff) == 0xBF) {
            i = 3;
        }
        while (i < n && Character.isWhitespace(head[i])) {
            i++;
        }
        return i < n && (head[i] == '<' || head[i] == '{' || head[i] == '[' || head[i] == '"');
    }

    /** Event XML after {@code #} comment lines ("#Bulk AD CS Events"); a YAML file that quotes XML is not. */
    private static boolean commentedXml(String text) {
        int at = text.indexOf("<Event");
        if (at < 0) {
            return false;
        }
        for (String line : text.substring(0, at).split("\n")) {
            String t = line.strip();
            if (!t.isEmpty() && !t.startsWith("#")) {
                return false;
            }
        }
        return true;
    }

    private static boolean startsWith(byte[] head, int n, byte[] magic) {
        if (n < magic.length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if (head[i] != magic[i]) {
                return false;
            }
        }
        return true;
    }
}
