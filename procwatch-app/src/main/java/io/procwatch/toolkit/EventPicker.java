package io.procwatch.toolkit;

import io.procwatch.intake.EventSink;
import io.procwatch.intake.EventSource;
import io.procwatch.normalize.ProcessEvent;
import io.procwatch.read.EventReader;
import io.procwatch.read.InputListener;
import io.procwatch.read.Origin;
import io.procwatch.read.RawRecord;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Picks one event out of a file for {@code explain}: {@code FILE:N} or the first process event of {@code FILE}. */
public final class EventPicker {

    private static final Pattern REF = Pattern.compile("^(.*):(\\d+)$");

    /** The picked event, or {@code null} with a note saying why there is none. */
    public record Picked(ProcessEvent event, String note) {
    }

    private EventPicker() {
    }

    public static Picked pick(String ref, Supplier<EventReader> evtx) throws IOException {
        Path file = Path.of(ref);
        long line = 0;
        Matcher m = REF.matcher(ref);
        if (!Files.exists(file) && m.matches()) {
            file = Path.of(m.group(1));
            line = Long.parseLong(m.group(2));
        }
        if (!Files.exists(file)) {
            throw new IOException("event file not found: " + file);
        }
        long wanted = line;
        Object[] found = new Object[1];
        String[] note = new String[1];
        String[] failure = new String[1];
        new EventSource(evtx).readAll(List.of(file), new EventSink() {
            private boolean wanted(Origin origin) {
                return found[0] == null && note[0] == null && (wanted == 0 || origin.line() == wanted);
            }

            @Override
            public void processEvent(ProcessEvent e) {
                if (wanted(e.getOrigin())) {
                    found[0] = e;
                }
            }

            @Override
            public boolean needsOtherRecords() {
                return true;
            }

            @Override
            public void otherEvent(Origin origin, RawRecord record) {
                if (wanted > 0 && wanted(origin)) {
                    note[0] = origin + ": not a process-creation event (EventID "
                            + record.fields().get("EventID") + ", Channel " + record.fields().get("Channel") + ")";
                }
            }

            @Override
            public void rejected(Origin origin, String reason) {
                if (wanted > 0 && wanted(origin)) {
                    note[0] = origin + ": rejected: " + reason;
                }
            }
        }, new InputListener() {
            @Override
            public void inputFailed(String source, String reason) {
                failure[0] = source + ": " + reason;
            }
        });
        if (failure[0] != null) {
            throw new IOException(failure[0]);
        }
        if (found[0] != null) {
            return new Picked((ProcessEvent) found[0], null);
        }
        if (note[0] != null) {
            return new Picked(null, note[0]);
        }
        throw new IllegalArgumentException(wanted > 0 ? "no record starts at " + file + ":" + wanted
                : "no process-creation event in " + file);
    }
}
