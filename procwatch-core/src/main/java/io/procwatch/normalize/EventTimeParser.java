package io.procwatch.normalize;

import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.time.temporal.TemporalAccessor;

/**
 * Parses the time stamps Windows collectors write ({@code 2025-10-24T14:14:58.8301938Z},
 * {@code 2021-06-12 01:07:15.633}, {@code 2021-06-11T09:07:15.635+02:00}) to epoch milliseconds UTC.
 * A stamp without an offset is UTC: Sysmon's UtcTime is, and nxlog's EventTime is taken to be.
 */
public final class EventTimeParser {

    private static final DateTimeFormatter FORMAT = new DateTimeFormatterBuilder()
            .appendPattern("uuuu-MM-dd")
            .optionalStart().appendLiteral('T').optionalEnd()
            .optionalStart().appendLiteral(' ').optionalEnd()
            .appendPattern("HH:mm:ss")
            .optionalStart().appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true).optionalEnd()
            .optionalStart().appendOffset("+HH:MM", "Z").optionalEnd()
            .optionalStart().appendOffset("+HHMM", "Z").optionalEnd()
            .toFormatter();

    private EventTimeParser() {
    }

    /** @throws IllegalArgumentException with the offending text when the stamp is not a time */
    public static long parseMillis(String text) {
        long fast = parseCommon(text);
        if (fast != Long.MIN_VALUE) {
            return fast;
        }
        try {
            TemporalAccessor t = FORMAT.parse(text.strip());
            LocalDateTime local = LocalDateTime.from(t);
            ZoneOffset offset = t.isSupported(ChronoField.OFFSET_SECONDS)
                    ? ZoneOffset.ofTotalSeconds(t.get(ChronoField.OFFSET_SECONDS)) : ZoneOffset.UTC;
            return OffsetDateTime.of(local, offset).toInstant().toEpochMilli();
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("unparseable time '" + text + "'");
        }
    }

    /**
     * The forms nearly every event carries, {@code uuuu-MM-dd[T ]HH:mm:ss[.fraction][Z]}, without the general
     * formatter (which costs more per event than the rest of normalization). Returns {@link Long#MIN_VALUE} for
     * anything else, which then goes through {@link #FORMAT}; java.time still validates the field values.
     */
    static long parseCommon(String s) {
        int n = s.length();
        if (n < 19 || s.charAt(4) != '-' || s.charAt(7) != '-' || (s.charAt(10) != 'T' && s.charAt(10) != ' ')
                || s.charAt(13) != ':' || s.charAt(16) != ':') {
            return Long.MIN_VALUE;
        }
        int y = digits(s, 0, 4);
        int mo = digits(s, 5, 2);
        int d = digits(s, 8, 2);
        int h = digits(s, 11, 2);
        int mi = digits(s, 14, 2);
        int sec = digits(s, 17, 2);
        if ((y | mo | d | h | mi | sec) < 0) {
            return Long.MIN_VALUE;
        }
        int i = 19;
        int millis = 0;
        if (i < n && s.charAt(i) == '.') {
            i++;
            int start = i;
            while (i < n && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                if (i - start < 3) {
                    millis = millis * 10 + (s.charAt(i) - '0');
                }
                i++;
            }
            if (i == start) {
                return Long.MIN_VALUE;
            }
            for (int k = i - start; k < 3; k++) {
                millis *= 10;
            }
        }
        if (i < n && s.charAt(i) == 'Z') {
            i++;
        }
        if (i != n) {
            return Long.MIN_VALUE; // an offset or trailing text: the general path handles it
        }
        try {
            return LocalDateTime.of(y, mo, d, h, mi, sec).toEpochSecond(ZoneOffset.UTC) * 1000L + millis;
        } catch (java.time.DateTimeException e) {
            throw new IllegalArgumentException("unparseable time '" + s + "'");
        }
    }

    private static int digits(String s, int from, int len) {
        int v = 0;
        for (int i = from; i < from + len; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }
}
