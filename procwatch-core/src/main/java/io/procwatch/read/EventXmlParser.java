package io.procwatch.read;

import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import java.io.StringReader;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Parses the text of one Windows {@code <Event>} element into RawRecord fields.
 * DTDs and external entities are off: event text is attacker-controlled (command lines), so no XXE and no
 * entity expansion. Not thread-safe (one per reader thread).
 */
public final class EventXmlParser {

    private final XMLInputFactory factory;

    public EventXmlParser() {
        factory = XMLInputFactory.newFactory();
        factory.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        factory.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        factory.setProperty(XMLInputFactory.IS_COALESCING, true);
        factory.setProperty(XMLInputFactory.IS_NAMESPACE_AWARE, true);
    }

    /** @throws XMLStreamException with the parser's reason when the text is not well-formed */
    public Map<String, String> parse(String eventXml) throws XMLStreamException {
        Map<String, String> fields = new LinkedHashMap<>(64);
        XMLStreamReader x = factory.createXMLStreamReader(new StringReader(eventXml));
        try {
            int depth = 0;
            String section = null;     // System, EventData, UserData or something else at depth 2
            String dataName = null;    // Name of the current Data element, or the element name in UserData
            StringBuilder text = new StringBuilder();
            int unnamed = 0;
            boolean sawEvent = false;
            while (x.hasNext()) {
                int ev = x.next();
                if (ev == XMLStreamConstants.START_ELEMENT) {
                    depth++;
                    String name = x.getLocalName();
                    text.setLength(0);
                    if (depth == 1) {
                        if (!name.equals("Event")) {
                            throw new XMLStreamException("root element is <" + name + ">, not <Event>");
                        }
                        sawEvent = true;
                    } else if (depth == 2) {
                        section = name;
                    } else if ("System".equals(section) && depth == 3) {
                        systemAttributes(name, x, fields);
                        dataName = name;
                    } else if ("EventData".equals(section) && depth == 3) {
                        String n = x.getAttributeValue(null, "Name");
                        dataName = n != null ? n : "Data_" + (++unnamed);
                    } else if ("UserData".equals(section) && depth >= 4) {
                        dataName = name;
                    }
                } else if (ev == XMLStreamConstants.CHARACTERS || ev == XMLStreamConstants.CDATA
                        || ev == XMLStreamConstants.SPACE) {
                    text.append(x.getText());
                } else if (ev == XMLStreamConstants.END_ELEMENT) {
                    String name = x.getLocalName();
                    if (depth == 3 && "System".equals(section) && SYSTEM_TEXT.contains(name)) {
                        fields.put(name, text.toString().strip());
                    } else if (depth == 3 && "EventData".equals(section) && dataName != null) {
                        fields.put(dataName, text.toString());
                    } else if (depth >= 4 && "UserData".equals(section) && name.equals(dataName)) {
                        fields.put(dataName, text.toString());
                    }
                    if (depth == 2) {
                        section = null;
                    }
                    dataName = null;
                    text.setLength(0);
                    depth--;
                }
            }
            if (!sawEvent) {
                throw new XMLStreamException("no <Event> element");
            }
            return fields;
        } finally {
            x.close();
        }
    }

    private static final java.util.Set<String> SYSTEM_TEXT = java.util.Set.of(
            "EventID", "Version", "Level", "Task", "Opcode", "Keywords", "EventRecordID", "Channel", "Computer");

    private static void systemAttributes(String element, XMLStreamReader x, Map<String, String> fields) {
        switch (element) {
            case "Provider" -> putAttr(x, "Name", "Provider", fields);
            case "TimeCreated" -> putAttr(x, "SystemTime", "SystemTime", fields);
            case "Execution" -> {
                putAttr(x, "ProcessID", "ExecutionProcessID", fields);
                putAttr(x, "ThreadID", "ExecutionThreadID", fields);
            }
            case "Security" -> putAttr(x, "UserID", "UserID", fields);
            default -> {
            }
        }
    }

    private static void putAttr(XMLStreamReader x, String attr, String field, Map<String, String> fields) {
        String v = x.getAttributeValue(null, attr);
        if (v != null) {
            fields.put(field, v);
        }
    }
}
