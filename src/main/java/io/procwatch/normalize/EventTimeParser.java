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
}
