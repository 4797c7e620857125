package io.procwatch.read.evtx;

/**
 * The value array of one template instance: type, chunk offset and size of each value, rendered lazily.
 * Kept in one int array (three per value): one allocation per instance on the hot path instead of three.
 */
final class Substitutions {

    private final int[] values;

    Substitutions(int count) {
        values = new int[count * 3];
    }

    void set(int index, int type, int offset, int size) {
        values[3 * index] = type;
        values[3 * index + 1] = offset;
        values[3 * index + 2] = size;
    }

    int count() {
        return values.length / 3;
    }

    int type(int index) {
        return values[3 * index];
    }

    int offset(int index) {
        return values[3 * index + 1];
    }

    int size(int index) {
        return values[3 * index + 2];
    }
}
