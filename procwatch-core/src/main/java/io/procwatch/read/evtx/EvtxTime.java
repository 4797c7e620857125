package io.procwatch.read.evtx;

/** ISO-8601 rendering of FILETIME and SYSTEMTIME values with seven fractional digits, as Windows writes them. */
final class EvtxTime {

    private static final long TICKS_PER_SECOND = 10_000_000L;
    private static final long SECONDS_1601_TO_1970 = 11_644_473_600L;

    private EvtxTime() {
    }

    /** FILETIME: 100 ns ticks since 1601-01-01 UTC, read as unsigned. */
    static String fileTime(long ticks) {
        long seconds = Long.divideUnsigned(ticks, TICKS_PER_SECOND);
        int fraction = (int) Long.remainderUnsigned(ticks, TICKS_PER_SECOND);
        long epochDay = Math.floorDiv(seconds - SECONDS_1601_TO_1970, 86_400L);
        int secondOfDay = (int) Math.floorMod(seconds - SECONDS_1601_TO_1970, 86_400L);
        // Civil date from days since 1970-01-01 (Hinnant's algorithm), avoiding java.time allocation per value.
        long z = epochDay + 719_468;
        long era = Math.floorDiv(z, 146_097);
        long dayOfEra = z - era * 146_097;
        long yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365;
        long dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
        long mp = (5 * dayOfYear + 2) / 153;
        int day = (int) (dayOfYear - (153 * mp + 2) / 5 + 1);
        int month = (int) (mp < 10 ? mp + 3 : mp - 9);
        long year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
        return format(year, month, day, secondOfDay / 3600, secondOfDay / 60 % 60, secondOfDay % 60, fraction);
    }

    /** SYSTEMTIME: eight 16-bit fields (year, month, weekday, day, hour, minute, second, millisecond). */
    static String systemTime(byte[] b, int off) {
        return format(LittleEndian.u16(b, off), LittleEndian.u16(b, off + 2), LittleEndian.u16(b, off + 6),
                LittleEndian.u16(b, off + 8), LittleEndian.u16(b, off + 10), LittleEndian.u16(b, off + 12),
                LittleEndian.u16(b, off + 14) * 10_000);
    }

    private static String format(long year, int month, int day, int hour, int minute, int second, int ticks) {
        byte[] out = BinXmlValueRenderer.scratch(28);
        int p = 0;
        if (year < 0 || year > 9999) {
            String y = Long.toString(year);
            return y + new String(format(0, month, day, hour, minute, second, ticks).toCharArray(), 4, 24);
        }
        p = digits(out, p, (int) year, 4);
        out[p++] = '-';
        p = digits(out, p, month, 2);
        out[p++] = '-';
        p = digits(out, p, day, 2);
        out[p++] = 'T';
        p = digits(out, p, hour, 2);
        out[p++] = ':';
        p = digits(out, p, minute, 2);
        out[p++] = ':';
        p = digits(out, p, second, 2);
        out[p++] = '.';
        p = digits(out, p, ticks, 7);
        out[p] = 'Z';
        return BinXmlValueRenderer.latin1(out, 28);
    }

    private static int digits(byte[] out, int p, int value, int width) {
        for (int i = width - 1; i >= 0; i--) {
            out[p + i] = (byte) ('0' + value % 10);
            value /= 10;
        }
        return p + width;
    }
}
