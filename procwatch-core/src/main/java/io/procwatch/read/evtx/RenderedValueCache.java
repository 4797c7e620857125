package io.procwatch.read.evtx;

import java.util.Arrays;

/**
 * The last rendered text of each substitution of one template. Consecutive records repeat most values (provider,
 * channel, computer, user, image…), so a value whose bytes equal the previous one at the same index in the same
 * chunk reuses its string instead of decoding it again. The bytes are compared in the chunk buffer itself, so a
 * slot is valid only within the chunk (generation) it was filled in.
 */
final class RenderedValueCache {

    private int[] generations = new int[0];
    private int[] types = new int[0];
    private int[] offsets = new int[0];
    private int[] sizes = new int[0];
    private String[] texts = new String[0];

    String get(byte[] chunk, int generation, int index, int type, int offset, int size) {
        if (index >= texts.length || generations[index] != generation || types[index] != type
                || sizes[index] != size) {
            return null;
        }
        int previous = offsets[index];
        return previous == offset || Arrays.equals(chunk, previous, previous + size, chunk, offset, offset + size)
                ? texts[index] : null;
    }

    void put(int generation, int index, int type, int offset, int size, String text) {
        if (index >= texts.length) {
            int length = Math.max(index + 1, texts.length * 2);
            generations = Arrays.copyOf(generations, length);
            types = Arrays.copyOf(types, length);
            offsets = Arrays.copyOf(offsets, length);
            sizes = Arrays.copyOf(sizes, length);
            texts = Arrays.copyOf(texts, length);
        }
        generations[index] = generation;
        types[index] = type;
        offsets[index] = offset;
        sizes[index] = size;
        texts[index] = text;
    }
}
