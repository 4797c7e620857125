package io.procwatch.read.evtx;

import java.util.List;

/**
 * Replays parsed BinXML to a {@link BinXmlHandler}, filling template substitutions with the instance's values:
 * a NULL optional substitution drops its attribute or element, an array value repeats its element once per item,
 * and a Binary XML (0x21) value is parsed and replayed in place.
 */
final class BinXmlEmitter {

    private final BinXmlParser parser;
    private byte[] b;
    private int generation;
    private RenderedValueCache renderedValues; // of the template instance being emitted

    BinXmlEmitter(BinXmlParser parser) {
        this.parser = parser;
    }

    void reset(byte[] chunk) {
        b = chunk;
        generation++; // cached renderings point into the previous chunk's bytes
    }

    void emit(BinXmlNode[] nodes, Substitutions values, BinXmlHandler handler) {
        for (BinXmlNode node : nodes) {
            if (node instanceof BinXmlNode.Element element) {
                element(element, values, handler);
            } else if (node instanceof BinXmlNode.Text text) {
                handler.text(text.text());
            } else if (node instanceof BinXmlNode.Substitution substitution) {
                substitution(substitution, values, handler);
            } else if (node instanceof BinXmlNode.TemplateInstance instance) {
                RenderedValueCache outer = renderedValues;
                renderedValues = instance.definition().renderedValues();
                emit(instance.definition().body(), instance.values(), handler);
                renderedValues = outer;
            }
            // Processing instructions carry no event data.
        }
    }

    private void element(BinXmlNode.Element element, Substitutions values, BinXmlHandler handler) {
        BinXmlNode[] content = element.content();
        if (content.length == 1 && content[0] instanceof BinXmlNode.Substitution substitution) {
            int type = typeOf(substitution, values);
            if (type == BinXmlValueRenderer.NULL && substitution.optional()) {
                return;
            }
            if ((type & BinXmlValueRenderer.ARRAY) != 0) {
                repeatPerItem(element, values, type, substitution.index(), handler);
                return;
            }
        }
        open(element, values, handler);
        emit(content, values, handler);
        handler.endElement();
    }

    /** An array substitution is written as one element per item (an empty array still gives one element). */
    private void repeatPerItem(BinXmlNode.Element element, Substitutions values, int type, int index,
                               BinXmlHandler handler) {
        List<String> items = BinXmlValueRenderer.renderArray(b, type, values.offset(index), values.size(index));
        if (items.isEmpty()) {
            open(element, values, handler);
            handler.endElement();
            return;
        }
        for (String item : items) {
            open(element, values, handler);
            handler.text(item);
            handler.endElement();
        }
    }

    private void open(BinXmlNode.Element element, Substitutions values, BinXmlHandler handler) {
        handler.startElement(element.name());
        for (BinXmlNode.Attribute attribute : element.attributes()) {
            BinXmlNode[] parts = attribute.parts();
            if (parts.length == 1 && parts[0] instanceof BinXmlNode.Substitution substitution) {
                int type = typeOf(substitution, values);
                if (type == BinXmlValueRenderer.NULL && substitution.optional()) {
                    continue;
                }
                handler.attribute(attribute.name(), scalar(substitution, values, type));
            } else {
                handler.attribute(attribute.name(), concatenate(parts, values));
            }
        }
    }

    private String concatenate(BinXmlNode[] parts, Substitutions values) {
        if (parts.length == 1 && parts[0] instanceof BinXmlNode.Text text) {
            return text.text();
        }
        StringBuilder sb = new StringBuilder();
        for (BinXmlNode part : parts) {
            if (part instanceof BinXmlNode.Text text) {
                sb.append(text.text());
            } else if (part instanceof BinXmlNode.Substitution substitution) {
                sb.append(scalar(substitution, values, typeOf(substitution, values)));
            }
        }
        return sb.toString();
    }

    private void substitution(BinXmlNode.Substitution substitution, Substitutions values, BinXmlHandler handler) {
        int type = typeOf(substitution, values);
        if (type == BinXmlValueRenderer.NULL) {
            return;
        }
        int index = substitution.index();
        if (type == BinXmlValueRenderer.BINXML) {
            int off = values.offset(index);
            emit(parser.parseDocument(off, off + values.size(index), false), null, handler);
        } else if ((type & BinXmlValueRenderer.ARRAY) != 0) {
            // An array mixed with other content: items joined, as there is no element to repeat.
            handler.text(String.join(",", BinXmlValueRenderer.renderArray(b, type, values.offset(index),
                    values.size(index))));
        } else {
            handler.text(render(values, index, type));
        }
    }

    private String scalar(BinXmlNode.Substitution substitution, Substitutions values, int type) {
        int index = substitution.index();
        if (type == BinXmlValueRenderer.NULL || type == BinXmlValueRenderer.BINXML) {
            return "";
        }
        if ((type & BinXmlValueRenderer.ARRAY) != 0) {
            return String.join(",", BinXmlValueRenderer.renderArray(b, type, values.offset(index),
                    values.size(index)));
        }
        return render(values, index, type);
    }

    private String render(Substitutions values, int index, int type) {
        int offset = values.offset(index);
        int size = values.size(index);
        if (renderedValues == null) {
            return BinXmlValueRenderer.render(b, type, offset, size);
        }
        String text = renderedValues.get(b, generation, index, type, offset, size);
        if (text == null) {
            text = BinXmlValueRenderer.render(b, type, offset, size);
            renderedValues.put(generation, index, type, offset, size, text);
        }
        return text;
    }

    /** The type written with the value (it wins over the template's declared type); NULL when there is none. */
    private static int typeOf(BinXmlNode.Substitution substitution, Substitutions values) {
        if (values == null || substitution.index() >= values.count()) {
            return BinXmlValueRenderer.NULL;
        }
        return values.type(substitution.index());
    }
}
