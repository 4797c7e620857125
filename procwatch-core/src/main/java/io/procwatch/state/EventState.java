package io.procwatch.state;

import io.procwatch.normalize.FieldTable;
import io.procwatch.normalize.LogSource;
import io.procwatch.normalize.ProcessEvent;
import io.procwatch.read.Origin;

import java.util.Map;

/** A process event as kept in a {@link DetectionState}: its stored fields (Windows names), time and origin. */
public record EventState(String logSource, int eventId, long time, String source, long line, Map<String, String> fields) {

    public static EventState of(ProcessEvent e) {
        Origin o = e.getOrigin();
        return new EventState(e.getLogSource().name(), e.getEventId(), e.getTime(), o == null ? null : o.source(),
                o == null ? 0 : o.line(), e.getFields());
    }

    /** The event again, its fields numbered by {@code table} (the engine's it goes to). */
    public ProcessEvent toEvent(FieldTable table) {
        return new ProcessEvent(table, LogSource.valueOf(logSource), eventId, time,
                source == null ? null : new Origin(source, line), fields);
    }
}
