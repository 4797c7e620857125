package io.procwatch.read.evtx;

/**
 * Parsed BinXML: template definitions are compiled once per chunk into these nodes, then replayed for
 * every record that instantiates them with its own substitution values.
 */
sealed interface BinXmlNode {

    record Element(String name, Attribute[] attributes, BinXmlNode[] content) implements BinXmlNode {
    }

    /** An attribute whose value is the concatenation of its parts (text, substitutions, references). */
    record Attribute(String name, BinXmlNode[] parts) {
    }

    /** Literal text: a value token, CDATA, or a decoded character/entity reference. */
    record Text(String text) implements BinXmlNode {
    }

    /** A placeholder for value {@code index} of the enclosing template instance. */
    record Substitution(int index, int type, boolean optional) implements BinXmlNode {
    }

    record TemplateInstance(TemplateDefinition definition, Substitutions values) implements BinXmlNode {
    }

    record ProcessingInstruction(String target, String data) implements BinXmlNode {
    }
}
