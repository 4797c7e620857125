package io.procwatch.normalize;

import io.procwatch.read.RawRecord;

import java.util.HashMap;
import java.util.Map;

/**
 * Turns a {@link RawRecord} into a {@link ProcessEvent} when it is a process creation (Sysmon EID 1 or
 * Security 4688), mapping 4688 names onto the Sysmon ones; the Splunk CIM names are a view that {@link ProcessEvent#get} derives.
 * The mappings are the {@code .map} resources beside this class. Thread-safe; its only state is the
 * {@link FieldTable} that numbers its events' fields.
 */
public final class EventNormalizer {

    static final String SYSMON_CHANNEL = "Microsoft-Windows-Sysmon/Operational";
    static final String SYSMON_PROVIDER = "Microsoft-Windows-Sysmon";
    static final String SECURITY_CHANNEL = "Security";
    static final String SECURITY_PROVIDER = "Microsoft-Windows-Security-Auditing";

    /** Where the event time is taken from, best first. */
    private static final String[] TIME_FIELDS = {"SystemTime", "@timestamp", "TimeCreated", "UtcTime", "EventTime"};

    private final FieldMapping aliases = FieldMapping.load("record-aliases.map");
    private final FieldMapping security4688 = FieldMapping.load("security-4688.map");
    private final FieldTable table;

    /** A normalizer with a field table of its own. */
    public EventNormalizer() {
        this(FieldTable.create());
    }

    /** A normalizer numbering its events' fields in {@code table} (the engine's). */
    public EventNormalizer(FieldTable table) {
        this.table = table;
    }

    /** The table this normalizer's events are numbered by. */
    public FieldTable fieldTable() {
        return table;
    }

    /**
     * @return the process event, or {@code null} when the record is some other event (to be counted and skipped)
     * @throws RejectedRecordException when the record is a process creation that cannot be used
     */
    public ProcessEvent normalize(RawRecord record) throws RejectedRecordException {
        Map<String, String> raw = record.fields();
        LogSource source = processSource(raw);
        if (source == null) {
            return null;
        }
        long time = eventTime(raw);
        // The record is handed over (RawRecord's contract), so its map becomes the event's: no copy per event.
        Map<String, String> fields = raw instanceof HashMap ? raw : new HashMap<>(raw);
        for (FieldMapping.Row alias : aliases.rows()) {
            // An alias fills a canonical name only where the record did not carry it.
            if (!fields.containsKey(alias.target())) {
                String v = fields.get(alias.sources()[0]);
                if (v != null) {
                    fields.put(alias.target(), v);
                }
            }
        }
        if (source == LogSource.SECURITY) {
            security4688.applyTo(fields, fields);
        }
        fields.put("vendor_product", source.vendorProduct());
        // CIM "action" of a process that was created; the logs hold no blocked creations.
        fields.put("action", "allowed");
        int eventId = source == LogSource.SYSMON ? 1 : 4688;
        fields.put("EventID", Integer.toString(eventId));
        fields.put("EventCode", Integer.toString(eventId));
        return new ProcessEvent(table, source, eventId, time, record.origin(), fields);
    }

    /** SYSMON for Sysmon EID 1, SECURITY for Security 4688, null for anything else. */
    static LogSource processSource(Map<String, String> raw) {
        return processSource(raw.get("EventID"), raw.get("Channel"), raw.get("Provider"), raw.get("SourceName"));
    }

    /**
     * Whether a record with these fields ({@code null} when absent) is a process creation that {@link #normalize}
     * would turn into an event (or reject); false means it would return {@code null}. Lets readers skip building
     * the other records.
     */
    public static boolean isProcessCreation(String eventId, String channel, String provider) {
        return processSource(eventId, channel, provider, null) != null;
    }

    private static LogSource processSource(String id, String channel, String provider, String sourceName) {
        if (id == null) {
            return null;
        }
        id = id.strip();
        boolean one = id.equals("1");
        if (!one && !id.equals("4688")) {
            return null;
        }
        if (channel == null || channel.isEmpty()) {
            // Some collectors drop the channel; the provider names the log just as well.
            provider = provider != null ? provider : sourceName != null ? sourceName : "";
            channel = provider.equalsIgnoreCase(SYSMON_PROVIDER) ? SYSMON_CHANNEL
                    : provider.equalsIgnoreCase(SECURITY_PROVIDER) ? SECURITY_CHANNEL : "";
        }
        if (one && channel.equalsIgnoreCase(SYSMON_CHANNEL)) {
            return LogSource.SYSMON;
        }
        if (!one && channel.equalsIgnoreCase(SECURITY_CHANNEL)) {
            return LogSource.SECURITY;
        }
        return null;
    }

    static long eventTime(Map<String, String> raw) throws RejectedRecordException {
        String problem = null;
        for (String f : TIME_FIELDS) {
            String v = raw.get(f);
            if (v == null || v.isBlank()) {
                continue;
            }
            try {
                return EventTimeParser.parseMillis(v);
            } catch (IllegalArgumentException e) {
                problem = f + ": " + e.getMessage();
            }
        }
        throw new RejectedRecordException(problem != null ? "process event has no usable time (" + problem + ")"
                : "process event has no time field (looked for SystemTime, @timestamp, TimeCreated, UtcTime, EventTime)");
    }
}
