package io.procwatch.read.evtx;

/** Feeds an element tree (e.g. the oracle's) to a {@link BinXmlHandler}, so it can be flattened like a record. */
final class EvtxElementReplay {

    private EvtxElementReplay() {
    }

    static void replay(EvtxElement e, BinXmlHandler handler) {
        handler.startElement(e.name());
        e.attributes().forEach(handler::attribute);
        if (!e.text().isEmpty() && (e.children().isEmpty() || !e.text().isBlank())) {
            handler.text(e.text());
        }
        for (EvtxElement child : e.children()) {
            replay(child, handler);
        }
        handler.endElement();
    }
}
