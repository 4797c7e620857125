package io.procwatch.read.evtx;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Renders BinXML substitution values as Windows renders them in event XML: decimal integers, {@code 0x3e7} for
 * hex types (minimal, lowercase), {@code {UPPER-GUID}}, upper-case hex for binary, {@code S-1-5-…} SIDs and
 * ISO-8601 times with 100 ns precision and {@code Z}.
 */
final class BinXmlValueRenderer {

    static final int NULL = 0x00;
    static final int STRING = 0x01;
    static final int ANSI_STRING = 0x02;
    static final int INT8 = 0x03;
    static final int UINT8 = 0x04;
    static final int INT16 = 0x05;
    static final int UINT16 = 0x06;
    static final int INT32 = 0x07;
    static final int UINT32 = 0x08;
    static final int INT64 = 0x09;
    static final int UINT64 = 0x0a;
    static final int REAL32 = 0x0b;
    static final int REAL64 = 0x0c;
    static final int BOOL = 0x0d;
    static final int BINARY = 0x0e;
    static final int GUID = 0x0f;
    static final int SIZE_T = 0x10;
    static final int FILETIME = 0x11;
    static final int SYSTEMTIME = 0x12;
    static final int SID = 0x13;
    static final int HEX_INT32 = 0x14;
    static final int HEX_INT64 = 0x15;
    static final int BINXML = 0x21;
    static final int ARRAY = 0x80;

    private static final Charset WINDOWS_1252 = Charset.forName("windows-1252");
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final byte[] HEX_UPPER = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);
    private static final ThreadLocal<byte[]> SCRATCH = ThreadLocal.withInitial(() -> new byte[256]);
    // GUID byte order: three little-endian fields, then eight bytes as stored.
    private static final int[] GUID_DATA1 = {3, 2, 1, 0};
    private static final int[] GUID_DATA2 = {5, 4};
    private static final int[] GUID_DATA3 = {7, 6};
    private static final int[] GUID_DATA4A = {8, 9};
    private static final int[] GUID_DATA4B = {10, 11, 12, 13, 14, 15};

    private BinXmlValueRenderer() {
    }

    /** Renders a scalar value; array types go through {@link #renderArray}. */
    static String render(byte[] b, int type, int off, int size) {
        switch (type) {
            case NULL:
                return "";
            case STRING:
                return utf16(b, off, size);
            case ANSI_STRING:
                return ansi(b, off, size);
            case INT8:
                need(size, 1);
                return Integer.toString(b[off]);
            case UINT8:
                need(size, 1);
                return Integer.toString(b[off] & 0xff);
            case INT16:
                need(size, 2);
                return Integer.toString((short) LittleEndian.u16(b, off));
            case UINT16:
                need(size, 2);
                return Integer.toString(LittleEndian.u16(b, off));
            case INT32:
                need(size, 4);
                return Integer.toString(LittleEndian.i32(b, off));
            case UINT32:
                need(size, 4);
                return Long.toString(LittleEndian.u32(b, off));
            case INT64:
                need(size, 8);
                return Long.toString(LittleEndian.i64(b, off));
            case UINT64:
                need(size, 8);
                return Long.toUnsignedString(LittleEndian.i64(b, off));
            case REAL32:
                need(size, 4);
                return real(Float.intBitsToFloat(LittleEndian.i32(b, off)));
            case REAL64:
                need(size, 8);
                return real(Double.longBitsToDouble(LittleEndian.i64(b, off)));
            case BOOL:
                need(size, 1);
                return (size >= 4 ? LittleEndian.i32(b, off) : b[off]) != 0 ? "true" : "false";
            case GUID:
                need(size, 16);
                return guid(b, off);
            case SIZE_T:
                return size == 4 ? hex32(b, off) : size == 8 ? hex64(b, off) : binary(b, off, size);
            case FILETIME:
                need(size, 8);
                return EvtxTime.fileTime(LittleEndian.i64(b, off));
            case SYSTEMTIME:
                need(size, 16);
                return EvtxTime.systemTime(b, off);
            case SID:
                return sid(b, off, size);
            case HEX_INT32:
                need(size, 4);
                return hex32(b, off);
            case HEX_INT64:
                need(size, 8);
                return hex64(b, off);
            default:
                // Binary, EvtHandle, EvtXml and unknown types: the bytes in upper-case hex.
                return binary(b, off, size);
        }
    }

    /** The items of an array value (type with 0x80 set); string arrays are NUL-separated. */
    static List<String> renderArray(byte[] b, int type, int off, int size) {
        int itemType = type & ~ARRAY;
        List<String> items = new ArrayList<>();
        if (itemType == STRING || itemType == ANSI_STRING) {
            int unit = itemType == STRING ? 2 : 1;
            int start = off;
            int end = off + size - (size % unit);
            for (int i = off; i < end; i += unit) {
                if (b[i] == 0 && (unit == 1 || b[i + 1] == 0)) {
                    items.add(itemType == STRING ? utf16(b, start, i - start) : ansi(b, start, i - start));
                    start = i + unit;
                }
            }
            if (start < end) {
                items.add(itemType == STRING ? utf16(b, start, end - start) : ansi(b, start, end - start));
            }
            return items;
        }
        int width = fixedWidth(itemType);
        if (width == 0) {
            items.add(binary(b, off, size));
            return items;
        }
        for (int i = off; i + width <= off + size; i += width) {
            items.add(render(b, itemType, i, width));
        }
        return items;
    }

    private static int fixedWidth(int type) {
        return switch (type) {
            case INT8, UINT8 -> 1;
            case INT16, UINT16 -> 2;
            case INT32, UINT32, REAL32, BOOL, HEX_INT32 -> 4;
            case INT64, UINT64, REAL64, FILETIME, HEX_INT64 -> 8;
            case GUID, SYSTEMTIME -> 16;
            default -> 0;
        };
    }

    /** UTF-16LE without the trailing NULs writers often include in the value size. */
    static String utf16(byte[] b, int off, int size) {
        int end = off + (size & ~1);
        while (end > off && b[end - 1] == 0 && b[end - 2] == 0) {
            end -= 2;
        }
        return end == off ? "" : decodeUtf16(b, off, end - off);
    }

    /** Most event text is Latin-1: build that as a compact string directly, which beats the JDK's UTF-16 decoder. */
    private static String decodeUtf16(byte[] b, int off, int length) {
        int chars = length >> 1;
        byte[] latin1 = scratch(chars);
        int i = 0;
        for (; i + 4 <= chars; i += 4) { // four characters per 64-bit read
            long v = (long) LONGS.get(b, off + 2 * i);
            if ((v & 0xFF00FF00FF00FF00L) != 0) {
                return new String(b, off, length, StandardCharsets.UTF_16LE);
            }
            latin1[i] = (byte) v;
            latin1[i + 1] = (byte) (v >>> 16);
            latin1[i + 2] = (byte) (v >>> 32);
            latin1[i + 3] = (byte) (v >>> 48);
        }
        for (; i < chars; i++) {
            if (b[off + 2 * i + 1] != 0) {
                return new String(b, off, length, StandardCharsets.UTF_16LE);
            }
            latin1[i] = b[off + 2 * i];
        }
        return new String(latin1, 0, chars, StandardCharsets.ISO_8859_1);
    }

    private static String ansi(byte[] b, int off, int size) {
        int end = off + size;
        while (end > off && b[end - 1] == 0) {
            end--;
        }
        return new String(b, off, end - off, WINDOWS_1252);
    }

    /**
     * A per-thread buffer to assemble Latin-1 text in: {@code new String(bytes, 0, n, ISO_8859_1)} copies it once
     * into a compact string, where building a fresh array (or a char[]) first would allocate twice.
     */
    static byte[] scratch(int size) {
        byte[] buffer = SCRATCH.get();
        if (buffer.length < size) {
            buffer = new byte[Math.max(size, buffer.length * 2)];
            SCRATCH.set(buffer);
        }
        return buffer;
    }

    static String latin1(byte[] buffer, int length) {
        return new String(buffer, 0, length, StandardCharsets.ISO_8859_1);
    }

    static String guid(byte[] b, int off) {
        byte[] out = scratch(38);
        out[0] = '{';
        int p = 1;
        p = hexBytes(out, p, b, off, GUID_DATA1);
        out[p++] = '-';
        p = hexBytes(out, p, b, off, GUID_DATA2);
        out[p++] = '-';
        p = hexBytes(out, p, b, off, GUID_DATA3);
        out[p++] = '-';
        p = hexBytes(out, p, b, off, GUID_DATA4A);
        out[p++] = '-';
        p = hexBytes(out, p, b, off, GUID_DATA4B);
        out[p] = '}';
        return latin1(out, 38);
    }

    private static int hexBytes(byte[] out, int p, byte[] b, int off, int[] order) {
        for (int i : order) {
            out[p++] = HEX_UPPER[(b[off + i] >> 4) & 0xf];
            out[p++] = HEX_UPPER[b[off + i] & 0xf];
        }
        return p;
    }

    static String binary(byte[] b, int off, int size) {
        byte[] out = scratch(size * 2);
        for (int i = 0; i < size; i++) {
            out[2 * i] = HEX_UPPER[(b[off + i] >> 4) & 0xf];
            out[2 * i + 1] = HEX_UPPER[b[off + i] & 0xf];
        }
        return latin1(out, size * 2);
    }

    private static String hex32(byte[] b, int off) {
        return "0x" + Integer.toHexString(LittleEndian.i32(b, off));
    }

    private static String hex64(byte[] b, int off) {
        return "0x" + Long.toHexString(LittleEndian.i64(b, off));
    }

    /** Revision, sub-authority count, 48-bit big-endian authority, then 32-bit little-endian sub-authorities. */
    private static String sid(byte[] b, int off, int size) {
        if (size < 8) {
            throw new EvtxCorruptionException("SID of " + size + " bytes");
        }
        int count = b[off + 1] & 0xff;
        if (8 + 4 * count > size) {
            throw new EvtxCorruptionException("SID with " + count + " sub-authorities in " + size + " bytes");
        }
        long authority = 0;
        for (int i = 2; i < 8; i++) {
            authority = authority << 8 | (b[off + i] & 0xff);
        }
        StringBuilder sb = new StringBuilder(48).append("S-").append(b[off] & 0xff).append('-');
        if (authority >= 1L << 32) {
            sb.append("0x").append(Long.toHexString(authority).toUpperCase());
        } else {
            sb.append(authority);
        }
        for (int i = 0; i < count; i++) {
            sb.append('-').append(LittleEndian.u32(b, off + 8 + 4 * i));
        }
        return sb.toString();
    }

    private static String real(double v) {
        if (v == Math.rint(v) && !Double.isInfinite(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return Double.toString(v);
    }

    private static void need(int size, int bytes) {
        if (size < bytes) {
            throw new EvtxCorruptionException("value of " + size + " bytes where " + bytes + " are needed");
        }
    }
}
