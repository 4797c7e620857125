package io.procwatch.write;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * How times are shown to a person ({@code --timezone}): ISO-8601 with milliseconds and the zone's offset
 * ({@code Z} for UTC). Only what people read is shown in this zone; stored fields ({@code firstTime},
 * {@code window_start}, the notables' NDJSON and CSV) stay UTC.
 */
public final class TimeDisplay {

    /** UTC. */
    public static final TimeDisplay UTC = new TimeDisplay(ZoneOffset.UTC);

    private final ZoneId zone;
    private final DateTimeFormatter format;

    public TimeDisplay(ZoneId zone) {
        this.zone = zone;
        this.format = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSXXX").withZone(zone);
    }

    public ZoneId zone() {
        return zone;
    }

    /** An epoch-millisecond time in this zone. */
    public String format(long epochMillis) {
        return format.format(Instant.ofEpochMilli(epochMillis));
    }
}
