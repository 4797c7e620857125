package io.procwatch.read.evtx;

/**
 * A compiled template: the nodes of its BinXML body.
 *
 * @param offset chunk offset of the definition header
 * @param guid   template identifier as stored (not trusted for identity across chunks)
 * @param size   bytes of the body after the 24-byte definition header
 * @param renderedValues last rendered text per substitution index, reused when the next record repeats a value
 */
record TemplateDefinition(int offset, String guid, int size, BinXmlNode[] body, RenderedValueCache renderedValues) {

    static final int HEADER_SIZE = 24;
}
