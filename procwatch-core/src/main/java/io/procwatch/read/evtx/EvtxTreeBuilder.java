package io.procwatch.read.evtx;

import java.util.ArrayDeque;
import java.util.Deque;

/** Builds an {@link EvtxElement} tree from the handler stream. */
final class EvtxTreeBuilder implements BinXmlHandler {

    private final Deque<EvtxElement> open = new ArrayDeque<>();
    private EvtxElement root;

    @Override
    public void startElement(String name) {
        EvtxElement element = new EvtxElement(name);
        if (open.isEmpty()) {
            if (root == null) {
                root = element;
            }
        } else {
            open.peek().addChild(element);
        }
        open.push(element);
    }

    @Override
    public void attribute(String name, String value) {
        open.peek().addAttribute(name, value);
    }

    @Override
    public void text(String text) {
        if (!open.isEmpty()) {
            open.peek().appendText(text);
        }
    }

    @Override
    public void endElement() {
        open.pop();
    }

    EvtxElement root() {
        return root;
    }
}
