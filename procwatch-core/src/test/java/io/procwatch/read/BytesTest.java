package io.procwatch.read;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The eight-bytes-at-a-time search finds what a byte-by-byte search finds, at every offset and alignment. */
class BytesTest {

    @Test
    void findsTheFirstByteAndNeedleAsAPlainSearch() {
        Random random = new Random(8);
        byte[] alphabet = {'\n', '\r', 'a', '"', 'E', 0, (byte) 0x80, (byte) 0xFF, (byte) 0x8A, 0x0B, (byte) 0xC3};
        byte[] needle = {'"', 'E', '"'};
        for (int round = 0; round < 20_000; round++) {
            byte[] b = new byte[random.nextInt(40)];
            for (int i = 0; i < b.length; i++) {
                b[i] = alphabet[random.nextInt(alphabet.length)];
            }
            int from = b.length == 0 ? 0 : random.nextInt(b.length + 1);
            int to = from + random.nextInt(b.length - from + 1);
            byte value = alphabet[random.nextInt(alphabet.length)];
            assertEquals(plain(b, new byte[]{value}, from, to), Bytes.indexOf(b, value, from, to));
            assertEquals(plain(b, needle, from, to), Bytes.indexOf(b, needle, from, to));
        }
    }

    private static int plain(byte[] b, byte[] needle, int from, int to) {
        outer:
        for (int i = from; i <= to - needle.length; i++) {
            for (int k = 0; k < needle.length; k++) {
                if (b[i + k] != needle[k]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
