package io.procwatch.read.evtx;

/** The value array of one template instance: type, chunk offset and size of each value, read lazily. */
final class Substitutions {

    final int[] types;
    final int[] offsets;
    final int[] sizes;

    Substitutions(int count) {
        types = new int[count];
        offsets = new int[count];
        sizes = new int[count];
    }

    int count() {
        return types.length;
    }
}
