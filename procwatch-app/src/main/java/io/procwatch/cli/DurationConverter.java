package io.procwatch.cli;

import io.procwatch.time.DurationText;
import picocli.CommandLine;

import java.time.Duration;

/** Reads {@code 90s}, {@code 10m}, {@code 2h} or ISO-8601 ({@code PT10M}); see {@link DurationText}. */
final class DurationConverter implements CommandLine.ITypeConverter<Duration> {

    @Override
    public Duration convert(String value) {
        try {
            return DurationText.parse(value);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException(e.getMessage());
        }
    }
}
