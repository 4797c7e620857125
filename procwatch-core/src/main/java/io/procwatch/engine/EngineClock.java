package io.procwatch.engine;

import java.time.Clock;
import java.util.Objects;

/**
 * How a {@link ProcwatchEngine} tells time, which decides when notable windows close.
 * <ul>
 *   <li>{@link #eventTime()}: replay. Time is the newest event time seen; a window closes once an event more than
 *       the late-event allowance past its end has arrived (or at {@link ProcwatchEngine#flush()}). Deterministic:
 *       last month's logs give last month's windows.</li>
 *   <li>{@link #wall()}: live. Time is the system clock; windows close on time ({@code [HH:50, HH+1:50)} closes at
 *       {@code HH+1:50} plus the allowance) even when no events arrive, because the engine ticks.</li>
 *   <li>{@link #wall(Clock)}: live with a clock of your choosing (tests use a fixed or hand-moved clock).</li>
 * </ul>
 * Immutable.
 */
public final class EngineClock {

    private final Clock wall;

    private EngineClock(Clock wall) {
        this.wall = wall;
    }

    /** Replay: time comes from the events. */
    public static EngineClock eventTime() {
        return new EngineClock(null);
    }

    /** Live: the system clock (UTC). */
    public static EngineClock wall() {
        return new EngineClock(Clock.systemUTC());
    }

    /** Live, reading time from {@code clock}. */
    public static EngineClock wall(Clock clock) {
        return new EngineClock(Objects.requireNonNull(clock, "clock"));
    }

    /** True for the wall clock (live), false for event time (replay). */
    public boolean isWall() {
        return wall != null;
    }

    /** The wall clock, or {@code null} for event time. */
    public Clock source() {
        return wall;
    }

    @Override
    public String toString() {
        return wall == null ? "event time" : "wall clock";
    }
}
