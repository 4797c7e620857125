package io.procwatch.read.evtx;

import java.util.HashMap;
import java.util.Map;

/**
 * Compiled templates of the current chunk, keyed by the chunk offset of their definition. Records reference a
 * definition written inline by an earlier record of the same chunk, so the cache is cleared at each chunk:
 * offsets mean nothing across chunks.
 */
final class TemplateCache {

    private final Map<Integer, TemplateDefinition> byOffset = new HashMap<>();

    TemplateDefinition get(int offset) {
        return byOffset.get(offset);
    }

    void put(TemplateDefinition definition) {
        byOffset.put(definition.offset(), definition);
    }

    void clear() {
        byOffset.clear();
    }

    int size() {
        return byOffset.size();
    }
}
