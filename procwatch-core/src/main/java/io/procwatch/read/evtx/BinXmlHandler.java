package io.procwatch.read.evtx;

/**
 * Receives a rendered event as a stream, like SAX: {@code startElement}, its {@code attribute}s, then text and
 * child elements, then {@code endElement}. Text may arrive in several pieces.
 */
interface BinXmlHandler {

    void startElement(String name);

    void attribute(String name, String value);

    void text(String text);

    void endElement();
}
