package io.procwatch.read.evtx;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A rendered event as a plain element tree, for inspection and for comparing the reader with other tools.
 *
 * <pre>{@code
 * new EvtxReader().readRecords(in, "Security.evtx", (origin, record) ->
 *         System.out.println(record.toElement().toXml()));
 * }</pre>
 */
public final class EvtxElement {

    private final String name;
    private final Map<String, String> attributes = new LinkedHashMap<>();
    private final List<EvtxElement> children = new ArrayList<>();
    private final StringBuilder text = new StringBuilder();

    public EvtxElement(String name) {
        this.name = name;
    }

    public String name() {
        return name;
    }

    public Map<String, String> attributes() {
        return Collections.unmodifiableMap(attributes);
    }

    public List<EvtxElement> children() {
        return Collections.unmodifiableList(children);
    }

    /** The element's own text (all text pieces between its children, concatenated). */
    public String text() {
        return text.toString();
    }

    public EvtxElement child(String childName) {
        for (EvtxElement child : children) {
            if (child.name.equals(childName)) {
                return child;
            }
        }
        return null;
    }

    public void addAttribute(String attributeName, String value) {
        attributes.put(attributeName, value);
    }

    public void addChild(EvtxElement child) {
        children.add(child);
    }

    public void appendText(String more) {
        text.append(more);
    }

    /** Indented XML with entities escaped, in the layout Event Viewer exports. */
    public String toXml() {
        StringBuilder sb = new StringBuilder();
        write(sb, 0);
        return sb.toString();
    }

    private void write(StringBuilder sb, int indent) {
        sb.append("  ".repeat(indent)).append('<').append(name);
        attributes.forEach((k, v) -> escape(sb.append(' ').append(k).append("=\""), v, true).append('"'));
        if (children.isEmpty() && text.length() == 0) {
            sb.append("/>\n");
            return;
        }
        sb.append('>');
        escape(sb, text.toString(), false);
        if (!children.isEmpty()) {
            sb.append('\n');
            for (EvtxElement child : children) {
                child.write(sb, indent + 1);
            }
            sb.append("  ".repeat(indent));
        }
        sb.append("</").append(name).append(">\n");
    }

    private static StringBuilder escape(StringBuilder sb, String s, boolean attribute) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '&' -> sb.append("&amp;");
                case '"' -> sb.append(attribute ? "&quot;" : "\"");
                default -> sb.append(c);
            }
        }
        return sb;
    }

    @Override
    public String toString() {
        return toXml();
    }
}
