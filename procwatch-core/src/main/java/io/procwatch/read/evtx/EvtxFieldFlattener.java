package io.procwatch.read.evtx;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Flattens a rendered event into the field names of {@link io.procwatch.read.RawRecord}: the listed System
 * children and attributes, {@code EventData/Data[@Name]} by name, unnamed Data as {@code Data_1…}, and leaf
 * elements of {@code UserData} (and any other section) by local name. The first occurrence of a name wins.
 */
final class EvtxFieldFlattener implements BinXmlHandler {

    private static final Set<String> SYSTEM_TEXT = Set.of("EventID", "Version", "Level", "Task", "Opcode",
            "Keywords", "EventRecordID", "Channel", "Computer");
    private static final int MAX_DEPTH = 128;

    private final String[] names = new String[MAX_DEPTH];
    private final String[] texts = new String[MAX_DEPTH];
    private final boolean[] hasChild = new boolean[MAX_DEPTH];
    private final String[] dataNames = new String[MAX_DEPTH];
    private Map<String, String> fields;
    private int depth;
    private String section;
    private int unnamedData;

    Map<String, String> begin() {
        fields = new LinkedHashMap<>(64);
        depth = 0;
        section = null;
        unnamedData = 0;
        return fields;
    }

    @Override
    public void startElement(String name) {
        if (depth > 0) {
            hasChild[depth] = true;
        }
        if (++depth >= MAX_DEPTH) {
            throw new EvtxCorruptionException("elements nested deeper than " + MAX_DEPTH);
        }
        names[depth] = name;
        texts[depth] = null;
        hasChild[depth] = false;
        dataNames[depth] = null;
        if (depth == 2) {
            section = name;
        }
    }

    @Override
    public void attribute(String name, String value) {
        if (depth == 3 && "System".equals(section)) {
            String key = systemAttributeField(names[depth], name);
            if (key != null) {
                fields.putIfAbsent(key, value);
            }
        } else if (depth == 3 && "Name".equals(name) && "Data".equals(names[depth])) {
            dataNames[depth] = value;
        }
    }

    private static String systemAttributeField(String element, String attribute) {
        return switch (element) {
            case "Provider" -> "Name".equals(attribute) ? "Provider" : null;
            case "TimeCreated" -> "SystemTime".equals(attribute) ? "SystemTime" : null;
            case "Security" -> "UserID".equals(attribute) ? "UserID" : null;
            case "Execution" -> "ProcessID".equals(attribute) ? "ExecutionProcessID"
                    : "ThreadID".equals(attribute) ? "ExecutionThreadID" : null;
            default -> null;
        };
    }

    @Override
    public void text(String text) {
        String current = texts[depth];
        texts[depth] = current == null ? text : current + text;
    }

    @Override
    public void endElement() {
        if (depth >= 3) {
            String name = names[depth];
            String text = texts[depth] == null ? "" : texts[depth];
            if ("System".equals(section)) {
                if (depth == 3 && SYSTEM_TEXT.contains(name)) {
                    fields.putIfAbsent(name, text);
                }
            } else if (depth == 3 && "EventData".equals(section) && "Data".equals(name)) {
                String key = dataNames[depth] != null ? dataNames[depth] : "Data_" + (++unnamedData);
                fields.putIfAbsent(key, text);
            } else if (!hasChild[depth]) {
                fields.putIfAbsent(localName(name), text);
            }
        }
        depth--;
    }

    private static String localName(String name) {
        int colon = name.indexOf(':');
        return colon < 0 ? name : name.substring(colon + 1);
    }
}
