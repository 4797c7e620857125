package io.procwatch.read;

import java.util.Map;

/**
 * One Windows event as a reader found it, flattened to field name → text, before any interpretation.
 *
 * <p>Every reader (XML, the JSON shapes, EVTX) yields the same field names, so the normalizer never
 * cares where a record came from:
 * <ul>
 *   <li>{@code System} children: {@code EventID}, {@code Channel}, {@code Provider} (Provider/@Name),
 *       {@code Computer}, {@code SystemTime} (TimeCreated/@SystemTime, as written), {@code EventRecordID},
 *       {@code UserID} (Security/@UserID), {@code Level}, {@code Task}, {@code Opcode}, {@code Keywords},
 *       {@code Version}, {@code ExecutionProcessID}, {@code ExecutionThreadID};</li>
 *   <li>{@code EventData/Data[@Name=X]} as {@code X}; unnamed {@code Data} as {@code Data_1}, {@code Data_2}, …;
 *       {@code UserData} leaf elements by their local name;</li>
 *   <li>flat JSON fields (OTRF, nxlog) as they are named in the record.</li>
 * </ul>
 * Values are strings exactly as rendered (XML entities decoded); an element that is present but empty maps to "".
 *
 * <p>A record is handed over: the reader keeps no reference to it, and the consumer may add to its (mutable)
 * map, as the normalizer does with the derived fields instead of copying every event.
 *
 * @param origin where the record starts
 * @param fields flattened fields; never null
 */
public record RawRecord(Origin origin, Map<String, String> fields) {

    public String get(String name) {
        return fields.get(name);
    }
}
