package io.procwatch.read.evtx;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Turns BinXML bytes of one chunk into {@link BinXmlNode}s. Offsets are chunk offsets throughout, since names and
 * template definitions are referenced by their position in the chunk. Template definitions are compiled once and
 * kept in the {@link TemplateCache}; every read is bounds-checked and a contradiction throws
 * {@link EvtxCorruptionException}.
 */
final class BinXmlParser {

    private static final int MAX_DEPTH = 64;
    private static final BinXmlNode[] NO_NODES = {};
    private static final BinXmlNode.Attribute[] NO_ATTRIBUTES = {};

    private static final int EOF = 0x00;
    private static final int OPEN_START_ELEMENT = 0x01;
    private static final int CLOSE_START_ELEMENT = 0x02;
    private static final int CLOSE_EMPTY_ELEMENT = 0x03;
    private static final int END_ELEMENT = 0x04;
    private static final int VALUE = 0x05;
    private static final int ATTRIBUTE = 0x06;
    private static final int CDATA = 0x07;
    private static final int CHAR_REF = 0x08;
    private static final int ENTITY_REF = 0x09;
    private static final int PI_TARGET = 0x0a;
    private static final int PI_DATA = 0x0b;
    private static final int TEMPLATE_INSTANCE = 0x0c;
    private static final int NORMAL_SUBSTITUTION = 0x0d;
    private static final int OPTIONAL_SUBSTITUTION = 0x0e;
    private static final int FRAGMENT_HEADER = 0x0f;
    private static final int MORE_FLAG = 0x40;

    private final NameTable names;
    private final TemplateCache templates;
    private byte[] b;
    private int pos;
    private int limit;
    private int depth;
    // While compiling a template: its byte range, and the names it takes from elsewhere in the chunk.
    private int compileStart = -1;
    private int compileEnd = -1;
    private boolean shareable;
    private int[] externalOffsets = new int[16];
    private String[] externalNames = new String[16];
    private int externalCount;

    BinXmlParser(NameTable names, TemplateCache templates) {
        this.names = names;
        this.templates = templates;
    }

    void reset(byte[] chunk) {
        b = chunk;
        depth = 0;
        compileStart = -1;
        compileEnd = -1;
        externalCount = 0;
    }

    /**
     * Parses a BinXML document in [start, end): fragment headers, template instances, elements and PIs up to the
     * end-of-file token.
     *
     * @param dependencyIds false for a Binary XML (0x21) value, whose element starts carry no dependency identifier
     */
    BinXmlNode[] parseDocument(int start, int end, boolean dependencyIds) {
        int savedPos = pos;
        int savedLimit = limit;
        int savedDepth = depth;
        if (start < 0 || end > b.length || start > end) {
            throw new EvtxCorruptionException("BinXML range " + start + ".." + end + " outside the chunk");
        }
        pos = start;
        limit = end;
        enter();
        try {
            List<BinXmlNode> out = new ArrayList<>(2);
            while (pos < limit) {
                int token = u8() & ~MORE_FLAG;
                if (token == EOF) {
                    break;
                }
                switch (token) {
                    case FRAGMENT_HEADER -> skip(3);
                    case TEMPLATE_INSTANCE -> out.add(templateInstance());
                    case OPEN_START_ELEMENT -> out.add(element(dependencyIds));
                    case PI_TARGET -> out.add(processingInstruction());
                    default -> throw corrupt("unexpected token 0x" + Integer.toHexString(token) + " in document");
                }
            }
            return out.toArray(NO_NODES);
        } finally {
            depth = savedDepth;
            pos = savedPos;
            limit = savedLimit;
        }
    }

    private BinXmlNode.Element element(boolean dependencyIds) {
        boolean hasAttributes = (b[pos - 1] & MORE_FLAG) != 0;
        enter();
        if (dependencyIds) {
            skip(2);
        }
        skip(4); // data size: the element is parsed token by token, so it is not needed
        String name = name();
        BinXmlNode.Attribute[] attributes = NO_ATTRIBUTES;
        if (hasAttributes) {
            skip(4); // attribute list size
            List<BinXmlNode.Attribute> list = new ArrayList<>(4);
            while (pos < limit && (peek() & ~MORE_FLAG) == ATTRIBUTE) {
                pos++;
                String attributeName = name();
                list.add(new BinXmlNode.Attribute(attributeName, valueParts()));
            }
            attributes = list.toArray(NO_ATTRIBUTES);
        }
        int close = u8();
        BinXmlNode[] content;
        if (close == CLOSE_EMPTY_ELEMENT) {
            content = NO_NODES;
        } else if (close == CLOSE_START_ELEMENT) {
            content = content(dependencyIds);
        } else {
            throw corrupt("element <" + name + "> not closed (token 0x" + Integer.toHexString(close) + ")");
        }
        depth--;
        return new BinXmlNode.Element(name, attributes, content);
    }

    private BinXmlNode[] content(boolean dependencyIds) {
        List<BinXmlNode> out = new ArrayList<>(4);
        while (true) {
            int token = u8() & ~MORE_FLAG;
            switch (token) {
                case END_ELEMENT -> {
                    return out.toArray(NO_NODES);
                }
                case OPEN_START_ELEMENT -> out.add(element(dependencyIds));
                case VALUE -> out.add(valueText());
                case CDATA -> out.add(new BinXmlNode.Text(unicodeText()));
                case CHAR_REF -> out.add(new BinXmlNode.Text(String.valueOf((char) u16())));
                case ENTITY_REF -> out.add(entityReference());
                case PI_TARGET -> out.add(processingInstruction());
                case NORMAL_SUBSTITUTION, OPTIONAL_SUBSTITUTION -> out.add(substitution(token));
                case TEMPLATE_INSTANCE -> out.add(templateInstance());
                default -> throw corrupt("unexpected token 0x" + Integer.toHexString(token) + " in element content");
            }
        }
    }

    /** The value of an attribute: every value, substitution and reference token up to the next non-value token. */
    private BinXmlNode[] valueParts() {
        List<BinXmlNode> parts = new ArrayList<>(1);
        while (pos < limit) {
            int token = peek() & ~MORE_FLAG;
            if (token == VALUE) {
                pos++;
                parts.add(valueText());
            } else if (token == NORMAL_SUBSTITUTION || token == OPTIONAL_SUBSTITUTION) {
                pos++;
                parts.add(substitution(token));
            } else if (token == CHAR_REF) {
                pos++;
                parts.add(new BinXmlNode.Text(String.valueOf((char) u16())));
            } else if (token == ENTITY_REF) {
                pos++;
                parts.add(entityReference());
            } else {
                break;
            }
        }
        return parts.toArray(NO_NODES);
    }

    private BinXmlNode valueText() {
        int type = u8();
        if (type != BinXmlValueRenderer.STRING) {
            throw corrupt("value token of type 0x" + Integer.toHexString(type) + " (only strings are defined)");
        }
        return new BinXmlNode.Text(unicodeText());
    }

    private BinXmlNode substitution(int token) {
        int index = u16();
        int type = u8();
        return new BinXmlNode.Substitution(index, type, token == OPTIONAL_SUBSTITUTION);
    }

    private BinXmlNode entityReference() {
        String name = name();
        String text = switch (name) {
            case "lt" -> "<";
            case "gt" -> ">";
            case "amp" -> "&";
            case "quot" -> "\"";
            case "apos" -> "'";
            default -> "&" + name + ";";
        };
        return new BinXmlNode.Text(text);
    }

    private BinXmlNode processingInstruction() {
        String target = name();
        String data = "";
        if (pos < limit && peek() == PI_DATA) {
            pos++;
            data = unicodeText();
        }
        return new BinXmlNode.ProcessingInstruction(target, data);
    }

    private BinXmlNode templateInstance() {
        if (compileStart >= 0) {
            shareable = false; // its definition offset may point outside the bytes that key the shared cache
        }
        skip(1); // unknown, seen 0x01
        skip(4); // template identifier: identity comes from the definition offset
        int definitionOffset = i32();
        TemplateDefinition definition = templates.get(definitionOffset);
        if (definitionOffset == pos) {
            // Defined inline, right here: skip over the definition to reach this instance's values.
            need(TemplateDefinition.HEADER_SIZE);
            int size = LittleEndian.i32(b, pos + 20);
            if (definition == null) {
                definition = compile(definitionOffset);
            }
            skip(TemplateDefinition.HEADER_SIZE);
            skip(size);
        } else if (definition == null) {
            definition = compile(definitionOffset);
        }
        int count = i32();
        if (count < 0 || count > (limit - pos) / 4) {
            throw corrupt("template instance claims " + count + " values");
        }
        Substitutions values = new Substitutions(count);
        int valueOffset = pos + count * 4;
        for (int i = 0; i < count; i++) {
            int size = LittleEndian.u16(b, pos);
            values.set(i, LittleEndian.u8(b, pos + 2), valueOffset, size);
            valueOffset += size;
            pos += 4;
        }
        if (valueOffset > limit) {
            throw corrupt("template values run " + (valueOffset - limit) + " bytes past the record");
        }
        pos = valueOffset;
        return new BinXmlNode.TemplateInstance(definition, values);
    }

    private TemplateDefinition compile(int offset) {
        if (offset < EvtxChunkHeader.SIZE || offset > b.length - TemplateDefinition.HEADER_SIZE) {
            throw corrupt("template definition offset " + offset + " outside the chunk");
        }
        int size = LittleEndian.i32(b, offset + 20);
        int bodyStart = offset + TemplateDefinition.HEADER_SIZE;
        if (size <= 0 || size > b.length - bodyStart) {
            throw corrupt("template definition at " + offset + " has size " + size + " past the chunk");
        }
        // Content from the GUID on: the next-definition pointer (first 4 bytes) differs between chunks.
        int contentStart = offset + 4;
        int contentEnd = bodyStart + size;
        int hash = TemplateCache.hash(b, contentStart, contentEnd);
        TemplateDefinition definition = templates.findShared(b, contentStart, contentEnd, hash, names);
        if (definition == null) {
            boolean outermost = compileStart < 0;
            int savedStart = compileStart;
            int savedEnd = compileEnd;
            int savedExternal = externalCount;
            if (outermost) {
                externalCount = 0;
                shareable = true;
            } else {
                shareable = false; // a definition nested in another is rare; not worth tracking for sharing
            }
            compileStart = offset;
            compileEnd = contentEnd;
            enter();
            try {
                BinXmlNode[] body = parseDocument(bodyStart, contentEnd, true);
                definition = new TemplateDefinition(offset, BinXmlValueRenderer.guid(b, offset + 4), size, body,
                        new RenderedValueCache());
            } finally {
                depth--;
                compileStart = savedStart;
                compileEnd = savedEnd;
            }
            if (outermost && shareable) {
                templates.share(b, contentStart, contentEnd, hash, Arrays.copyOf(externalOffsets, externalCount),
                        Arrays.copyOf(externalNames, externalCount), definition);
            }
            if (outermost) {
                externalCount = 0;
            } else {
                externalCount = savedExternal;
            }
        }
        templates.put(offset, definition);
        return definition;
    }

    /** A name reference; the name is stored inline when its offset is the very next byte. */
    private String name() {
        int offset = i32();
        String name = names.nameAt(offset);
        if (compileStart >= 0 && (offset < compileStart || offset >= compileEnd)) {
            rememberExternalName(offset, name);
        }
        if (offset == pos) {
            skip(names.storedSize(offset));
        }
        return name;
    }

    private void rememberExternalName(int offset, String name) {
        if (externalCount == externalOffsets.length) {
            externalOffsets = Arrays.copyOf(externalOffsets, externalCount * 2);
            externalNames = Arrays.copyOf(externalNames, externalCount * 2);
        }
        externalOffsets[externalCount] = offset;
        externalNames[externalCount++] = name;
    }

    private String unicodeText() {
        int chars = u16();
        need(chars * 2);
        String text = BinXmlValueRenderer.utf16(b, pos, chars * 2);
        pos += chars * 2;
        return text;
    }

    private void enter() {
        if (++depth > MAX_DEPTH) {
            throw corrupt("BinXML nested deeper than " + MAX_DEPTH + " levels (template loop?)");
        }
    }

    private int peek() {
        need(1);
        return b[pos] & 0xff;
    }

    private int u8() {
        need(1);
        return b[pos++] & 0xff;
    }

    private int u16() {
        need(2);
        int v = LittleEndian.u16(b, pos);
        pos += 2;
        return v;
    }

    private int i32() {
        need(4);
        int v = LittleEndian.i32(b, pos);
        pos += 4;
        return v;
    }

    private void skip(int n) {
        need(n);
        pos += n;
    }

    private void need(int n) {
        if (n < 0 || pos + n > limit) {
            throw corrupt("BinXML runs past its end at chunk offset " + pos);
        }
    }

    private EvtxCorruptionException corrupt(String message) {
        return new EvtxCorruptionException(message);
    }
}
