package io.procwatch.engine;

import io.procwatch.normalize.ProcessEvent;

import java.util.List;

/**
 * Events parsed from one submission (a text body, a map), before they are queued.
 *
 * @param events     the process events (Sysmon EID 1, Security 4688), in input order
 * @param records    records read, of every kind: {@code events.size() + other + rejections.size()}
 * @param other      records that parsed but are not process creations (counted and skipped)
 * @param rejections one {@code source:line: reason} per record that could not be used
 */
public record EventBatch(List<ProcessEvent> events, long records, long other, List<String> rejections) {

    public EventBatch {
        events = List.copyOf(events);
        rejections = List.copyOf(rejections);
    }

    /** Process events in this batch. */
    public int accepted() {
        return events.size();
    }

    public int rejected() {
        return rejections.size();
    }
}
