package io.procwatch.normalize;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The fast path and the general formatter agree, to the millisecond, on every form collectors write. */
class EventTimeParserTest {

    @ParameterizedTest
    @CsvSource({
            "2025-10-24T14:14:58.830193800Z, 2025-10-24T14:14:58.830Z",
            "2025-10-24T14:14:58.8301938Z,   2025-10-24T14:14:58.830Z",
            "2021-06-11T09:07:15.635Z,       2021-06-11T09:07:15.635Z",
            "2021-06-12 01:07:15.633,        2021-06-12T01:07:15.633Z",
            "2020-08-01 05:46:46,            2020-08-01T05:46:46Z",
            "2024-03-04T11:00:00.5Z,         2024-03-04T11:00:00.500Z",
            "2024-03-04T11:00:00Z,           2024-03-04T11:00:00Z",
            "2024-03-04T13:00:00.5+02:00,    2024-03-04T11:00:00.500Z",
            "2024-03-04T06:00:00-0500,       2024-03-04T11:00:00Z",
            "2024-02-29T23:59:59.999Z,       2024-02-29T23:59:59.999Z",
    })
    void parses(String text, String expected) {
        assertEquals(Instant.parse(expected).toEpochMilli(), EventTimeParser.parseMillis(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"yesterday", "2024-13-01T00:00:00Z", "2023-02-29T00:00:00Z", "2024-03-04T25:00:00Z",
            "2024-03-04", "2024-03-04T11:00:00Zjunk"})
    void rejects(String text) {
        assertThrows(IllegalArgumentException.class, () -> EventTimeParser.parseMillis(text));
    }
}
