package io.procwatch.read.evtx;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Compiled templates. Within a chunk, records reference a definition by its chunk offset, so the per-chunk map is
 * keyed by offset and cleared at each chunk. Across chunks the same template is written again at another offset,
 * so a second map shares compiled definitions keyed by their bytes (GUID, size and body), never by GUID alone:
 * a hit also requires every name the body references outside itself to resolve to the same string.
 */
final class TemplateCache {

    private static final int MAX_SHARED = 4096;

    private final Map<Integer, TemplateDefinition> byOffset = new HashMap<>();
    private final Map<Integer, List<Shared>> byContentHash = new HashMap<>();
    private int sharedCount;

    /** A compiled definition with the bytes it was compiled from and the external names it relied on. */
    private record Shared(byte[] content, int[] nameOffsets, String[] names, TemplateDefinition definition) {
    }

    TemplateDefinition get(int offset) {
        return byOffset.get(offset);
    }

    void put(int offset, TemplateDefinition definition) {
        byOffset.put(offset, definition);
    }

    void clear() {
        byOffset.clear();
    }

    /** A definition compiled in an earlier chunk from the same bytes, with the same external names; else null. */
    TemplateDefinition findShared(byte[] chunk, int from, int to, int hash, NameTable names) {
        List<Shared> candidates = byContentHash.get(hash);
        if (candidates == null) {
            return null;
        }
        for (Shared shared : candidates) {
            if (Arrays.equals(shared.content, 0, shared.content.length, chunk, from, to) && sameNames(shared, names)) {
                return shared.definition;
            }
        }
        return null;
    }

    private static boolean sameNames(Shared shared, NameTable names) {
        try {
            for (int i = 0; i < shared.nameOffsets.length; i++) {
                if (!shared.names[i].equals(names.nameAt(shared.nameOffsets[i]))) {
                    return false;
                }
            }
            return true;
        } catch (EvtxCorruptionException e) {
            return false; // no name there in this chunk: compile afresh and let that report the damage
        }
    }

    void share(byte[] chunk, int from, int to, int hash, int[] nameOffsets, String[] externalNames,
               TemplateDefinition definition) {
        if (sharedCount >= MAX_SHARED) { // bound memory on files with endless distinct templates
            byContentHash.clear();
            sharedCount = 0;
        }
        byContentHash.computeIfAbsent(hash, h -> new ArrayList<>(1))
                .add(new Shared(Arrays.copyOfRange(chunk, from, to), nameOffsets, externalNames, definition));
        sharedCount++;
    }

    static int hash(byte[] b, int from, int to) {
        int h = 1;
        int i = from;
        for (; i + 4 <= to; i += 4) {
            h = 31 * h + LittleEndian.i32(b, i);
        }
        for (; i < to; i++) {
            h = 31 * h + b[i];
        }
        return h;
    }
}
