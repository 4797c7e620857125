package io.procwatch.sigma;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A multi-pattern matcher: one pass over a text reports every needle it contains. Sparse goto (sorted
 * char arrays, binary search) with failure links; outputs merged along the failure chain at build time.
 */
final class AhoCorasick {

    private char[][] keys = new char[16][];
    private int[][] next = new int[16][];
    private int[] fail = new int[16];
    private int[][] out = new int[16][];
    private int size = 1;

    AhoCorasick() {
        keys[0] = new char[0];
        next[0] = new int[0];
        out[0] = new int[0];
    }

    /** Adds a needle with its id; call {@link #build()} after the last one. */
    void add(String needle, int id) {
        int s = 0;
        for (int i = 0; i < needle.length(); i++) {
            char c = needle.charAt(i);
            int t = child(s, c);
            if (t < 0) {
                t = newState();
                int pos = -(Arrays.binarySearch(keys[s], c) + 1);
                keys[s] = insert(keys[s], pos, c);
                next[s] = insert(next[s], pos, t);
            }
            s = t;
        }
        out[s] = append(out[s], id);
    }

    private int newState() {
        if (size == keys.length) {
            int n = size * 2;
            keys = Arrays.copyOf(keys, n);
            next = Arrays.copyOf(next, n);
            fail = Arrays.copyOf(fail, n);
            out = Arrays.copyOf(out, n);
        }
        keys[size] = new char[0];
        next[size] = new int[0];
        out[size] = new int[0];
        return size++;
    }

    private int child(int s, char c) {
        int i = Arrays.binarySearch(keys[s], c);
        return i >= 0 ? next[s][i] : -1;
    }

    void build() {
        ArrayDeque<Integer> q = new ArrayDeque<>();
        for (int t : next[0]) {
            fail[t] = 0;
            q.add(t);
        }
        while (!q.isEmpty()) {
            int s = q.poll();
            for (int k = 0; k < keys[s].length; k++) {
                char c = keys[s][k];
                int t = next[s][k];
                int f = fail[s];
                while (f > 0 && child(f, c) < 0) {
                    f = fail[f];
                }
                int g = child(f, c);
                fail[t] = g >= 0 && g != t ? g : 0;
                if (out[fail[t]].length > 0) {
                    out[t] = concat(out[t], out[fail[t]]);
                }
                q.add(t);
            }
        }
    }

    /** Calls {@code hit} with the id of every needle occurring in {@code text} (repeats possible). */
    void search(String text, java.util.function.IntConsumer hit) {
        int s = 0;
        for (int i = 0, n = text.length(); i < n; i++) {
            char c = text.charAt(i);
            int t;
            while ((t = child(s, c)) < 0 && s > 0) {
                s = fail[s];
            }
            s = t < 0 ? 0 : t;
            int[] o = out[s];
            for (int id : o) {
                hit.accept(id);
            }
        }
    }

    int states() {
        return size;
    }

    private static char[] insert(char[] a, int pos, char c) {
        char[] b = new char[a.length + 1];
        System.arraycopy(a, 0, b, 0, pos);
        b[pos] = c;
        System.arraycopy(a, pos, b, pos + 1, a.length - pos);
        return b;
    }

    private static int[] insert(int[] a, int pos, int v) {
        int[] b = new int[a.length + 1];
        System.arraycopy(a, 0, b, 0, pos);
        b[pos] = v;
        System.arraycopy(a, pos, b, pos + 1, a.length - pos);
        return b;
    }

    private static int[] append(int[] a, int v) {
        int[] b = Arrays.copyOf(a, a.length + 1);
        b[a.length] = v;
        return b;
    }

    private static int[] concat(int[] a, int[] b) {
        List<Integer> l = new ArrayList<>();
        for (int x : a) {
            l.add(x);
        }
        for (int x : b) {
            if (!l.contains(x)) {
                l.add(x);
            }
        }
        return l.stream().mapToInt(Integer::intValue).toArray();
    }
}
