package io.procwatch.read;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/** Searches in UTF-8 bytes, eight at a time where it can: line breaks are looked for in every byte of JSON lines. */
final class Bytes {

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGHS = 0x8080808080808080L;

    private Bytes() {
    }

    /** The index of the first {@code value} in {@code b[from, to)}, or -1. */
    static int indexOf(byte[] b, byte value, int from, int to) {
        long pattern = ONES * (value & 0xFF);
        int i = from;
        for (int last = to - Long.BYTES; i <= last; i += Long.BYTES) {
            long x = (long) LONGS.get(b, i) ^ pattern;
            long found = (x - ONES) & ~x & HIGHS; // the high bit of each byte that was zero (exact for the lowest)
            if (found != 0) {
                return i + (Long.numberOfTrailingZeros(found) >>> 3);
            }
        }
        for (; i < to; i++) {
            if (b[i] == value) {
                return i;
            }
        }
        return -1;
    }

    /** The index of the first {@code needle} in {@code b[from, to)}, or -1. */
    static int indexOf(byte[] b, byte[] needle, int from, int to) {
        int last = to - needle.length;
        for (int i = from; i <= last; i++) {
            i = indexOf(b, needle[0], i, last + 1);
            if (i < 0) {
                return -1;
            }
            int k = 1;
            while (k < needle.length && b[i + k] == needle[k]) {
                k++;
            }
            if (k == needle.length) {
                return i;
            }
        }
        return -1;
    }
}
