package io.procwatch.read;

import org.apache.commons.io.input.ReaderInputStream;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

/**
 * UTF-16 text (what PowerShell 5's {@code Out-File} and {@code >} write): recognised by its byte order mark, or
 * without one by ASCII characters alternating with zero bytes, and transcoded to UTF-8 for the readers.
 */
enum Utf16 {
    LE(StandardCharsets.UTF_16LE), BE(StandardCharsets.UTF_16BE);

    private final Charset charset;

    Utf16(Charset charset) {
        this.charset = charset;
    }

    /** A UTF-8 view of the rest of a UTF-16 stream, marked-and-resettable like the walker's other streams. */
    record Transcoded(BufferedInputStream stream) {
    }

    /** The byte order of {@code in}'s text, or null when it is not UTF-16. Leaves the stream where it was. */
    static Utf16 detect(BufferedInputStream in) throws IOException {
        in.mark(8);
        byte[] h = new byte[8];
        int n = in.readNBytes(h, 0, 8);
        in.reset();
        if (n >= 2 && (h[0] & 0xff) == 0xFF && (h[1] & 0xff) == 0xFE) {
            return LE;
        }
        if (n >= 2 && (h[0] & 0xff) == 0xFE && (h[1] & 0xff) == 0xFF) {
            return BE;
        }
        if (n < 8) {
            return null;
        }
        if (alternating(h, 0) && ascii(h, 1)) {
            return BE;
        }
        if (alternating(h, 1) && ascii(h, 0)) {
            return LE;
        }
        return null;
    }

    private static boolean alternating(byte[] h, int zeroAt) {
        for (int i = zeroAt; i < h.length; i += 2) {
            if (h[i] != 0) {
                return false;
            }
        }
        return true;
    }

    private static boolean ascii(byte[] h, int at) {
        for (int i = at; i < h.length; i += 2) {
            if (h[i] < 0x09 || h[i] > 0x7e) {
                return false;
            }
        }
        return true;
    }

    /** The rest of {@code in} (positioned at the start of the text; a byte order mark is dropped) as UTF-8. */
    Transcoded toUtf8(BufferedInputStream in) throws IOException {
        in.mark(2);
        int a = in.read();
        int b = in.read();
        boolean bom = this == LE ? a == 0xFF && b == 0xFE : a == 0xFE && b == 0xFF;
        if (!bom) {
            in.reset();
        }
        InputStream utf8 = ReaderInputStream.builder().setReader(new InputStreamReader(in, charset))
                .setCharset(StandardCharsets.UTF_8).get();
        return new Transcoded(new BufferedInputStream(utf8, 1 << 16));
    }
}
