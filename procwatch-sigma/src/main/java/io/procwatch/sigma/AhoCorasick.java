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
    /** Dense transitions for ASCII: column per ASCII character that occurs in a needle (-1: none, go to root). */
    private final int[] asciiClass = new int[128];
    /** {@link #asciiClass} with A–Z mapped to the columns of a–z: for {@link #searchFolded}. */
    private final int[] foldClass = new int[128];
    private int width;
    private int[] delta;

    AhoCorasick() {
        this(DENSE_BUDGET);
    }

    /** With another budget for full rows (tests use a small one to exercise the deep states). */
    AhoCorasick(int denseBudget) {
        this.denseBudget = denseBudget;
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
        buildDense();
    }

    /**
     * Bytes of full rows per automaton: half a core's L2 cache (budgets of 256 KB to 2 MB measured alike on the
     * SigmaHQ corpus; full rows for every state, 11 MB for CommandLine, were slower).
     */
    static final int DENSE_BUDGET = 1024 * 1024;
    private final int denseBudget;

    /**
     * The transition function for ASCII characters. States are numbered breadth-first; the first
     * {@link #denseStates} (the shallow ones, where the search spends most of its time) get a full row (goto and
     * failure links folded, each entry with a flag bit for "the target has outputs"), 16-bit entries when the
     * automaton has fewer than 32,768 states. Deeper states, mostly chains of one child, keep only their ASCII
     * children and their failure link: a full row for each made the CommandLine automaton of the SigmaHQ corpus
     * (36k states × 80 columns × 4 bytes) 11 MB, and its rows missed every cache. Non-ASCII characters take the
     * sparse goto and failure links.
     */
    private void buildDense() {
        Arrays.fill(asciiClass, -1);
        width = 0;
        for (int i = 0; i < size; i++) {
            for (char c : keys[i]) {
                if (c < 128 && asciiClass[c] < 0) {
                    asciiClass[c] = width++;
                }
            }
        }
        for (char c = 0; c < 128; c++) {
            foldClass[c] = asciiClass[c >= 'A' && c <= 'Z' ? c + 32 : c];
        }
        char[] chars = new char[width];
        for (char c = 0; c < 128; c++) {
            if (asciiClass[c] >= 0) {
                chars[asciiClass[c]] = c;
            }
        }
        // breadth-first numbering
        oldOf = new int[size];
        newOf = new int[size];
        int n = 0;
        ArrayDeque<Integer> q = new ArrayDeque<>();
        q.add(0);
        while (!q.isEmpty()) {
            int st = q.poll();
            oldOf[n] = st;
            newOf[st] = n++;
            for (int t : next[st]) {
                q.add(t);
            }
        }
        int w = Math.max(width, 1);
        small = size < 32768;
        flag = small ? 0x8000 : 0x40000000;
        mask = flag - 1;
        int dense = Math.min(size, Math.max(256, denseBudget / (w * (small ? 2 : 4))));
        denseStates = dense;
        // Deep states first: the dense rows below fall back on them through failure links.
        int deep = size - dense;
        deepStart = new int[deep + 1];
        deepFail = new int[deep];
        List<int[]> kids = new ArrayList<>();
        for (int ns = dense; ns < size; ns++) {
            int st = oldOf[ns];
            deepStart[ns - dense] = kids.size();
            deepFail[ns - dense] = newOf[fail[st]];
            for (int k = 0; k < keys[st].length; k++) {
                char c = keys[st][k];
                if (c < 128) {
                    int t = next[st][k];
                    kids.add(new int[]{asciiClass[c], newOf[t] | (out[t].length > 0 ? flag : 0)});
                }
            }
        }
        deepStart[deep] = kids.size();
        deepKey = new byte[kids.size()];
        deepNext = new int[kids.size()];
        for (int i = 0; i < kids.size(); i++) {
            deepKey[i] = (byte) kids.get(i)[0];
            deepNext[i] = kids.get(i)[1];
        }
        int[] d = new int[dense * w];
        for (int ns = 0; ns < dense; ns++) {
            int st = oldOf[ns];
            for (int k = 0; k < width; k++) {
                int t = child(st, chars[k]);
                int v;
                if (t >= 0) {
                    v = newOf[t] | (out[t].length > 0 ? flag : 0);
                } else {
                    // The failure state is shallower, so numbered (and its row filled) before this one.
                    v = ns == 0 ? 0 : d[newOf[fail[st]] * w + k];
                }
                d[ns * w + k] = v;
            }
        }
        if (small) {
            dense16 = new char[d.length];
            for (int i = 0; i < d.length; i++) {
                dense16[i] = (char) d[i];
            }
        } else {
            dense32 = d;
        }
    }

    /** The transition from a deep state ({@code s >= denseStates}) on the ASCII column {@code k}. */
    private int deepStep(int s, int k) {
        final int dense = denseStates;
        while (s >= dense) {
            int i = s - dense;
            for (int j = deepStart[i], end = deepStart[i + 1]; j < end; j++) {
                if (deepKey[j] == k) {
                    return deepNext[j];
                }
            }
            s = deepFail[i];
        }
        return dense16 != null ? dense16[s * width + k] : dense32[s * width + k];
    }

    private int[] oldOf;
    private int[] newOf;
    private boolean small;
    private int flag;
    private int mask;
    private char[] dense16;
    private int[] dense32;
    private int denseStates;
    /** Per deep state (index s - denseStates): its children's range in deepKey/deepNext, its failure state. */
    private int[] deepStart;
    private int[] deepFail;
    private byte[] deepKey;
    private int[] deepNext;

    /** Calls {@code hit} with the id of every needle occurring in {@code text} (repeats possible). */
    void search(String text, java.util.function.IntConsumer hit) {
        walk(text, asciiClass, false, hit);
    }

    /**
     * As {@link #search} over {@code text.toLowerCase(Locale.ROOT)}, without building the lower-cased copy:
     * ASCII letters fold through the transition table, other characters through {@link Character#toLowerCase}.
     * That is exactly what {@code String.toLowerCase(Locale.ROOT)} does per character, except for İ (U+0130,
     * two characters), Σ (U+03A3, context-dependent) and surrogates: on those it stops and returns false, having
     * reported some of the hits, and the caller searches the lower-cased text instead.
     */
    boolean searchFolded(String text, java.util.function.IntConsumer hit) {
        return walk(text, foldClass, true, hit);
    }

    /**
     * One pass over {@code text}: ASCII characters through {@code classes} and the transition table, others
     * (lower-cased first when {@code fold}) through the sparse goto and failure links. False when a character
     * cannot be folded one to one (see {@link #searchFolded}).
     */
    private boolean walk(String text, int[] classes, boolean fold, java.util.function.IntConsumer hit) {
        int s = 0; // dense (breadth-first) number
        final int w = width;
        final int dense = denseStates;
        final char[] d16 = dense16;
        final int[] d32 = dense32;
        for (int i = 0, n = text.length(); i < n; i++) {
            char c = text.charAt(i);
            int v;
            if (c < 128) {
                int k = classes[c];
                if (k < 0) {
                    s = 0;
                    continue;
                }
                v = s >= dense ? deepStep(s, k) : d16 != null ? d16[s * w + k] : d32[s * w + k];
            } else {
                if (fold) {
                    if (c == '\u0130' || c == '\u03a3' || Character.isSurrogate(c)) {
                        return false;
                    }
                    c = Character.toLowerCase(c);
                    if (c < 128) {
                        return false; // K (Kelvin sign) -> k: not seen by the dense path; keep it simple
                    }
                }
                int o = oldOf[s];
                int t;
                while ((t = child(o, c)) < 0 && o > 0) {
                    o = fail[o];
                }
                o = t < 0 ? 0 : t;
                v = newOf[o] | (out[o].length > 0 ? flag : 0);
            }
            s = v & mask;
            if ((v & flag) != 0) {
                for (int id : out[oldOf[s]]) {
                    hit.accept(id);
                }
            }
        }
        return true;
    }

    int alphabet() {
        java.util.BitSet b = new java.util.BitSet();
        for (int i = 0; i < size; i++) {
            for (char c : keys[i]) {
                b.set(c);
            }
        }
        return b.cardinality();
    }

    int states() {
        return size;
    }

    /** How many states have a full row of ASCII transitions (the rest are deep states). */
    int denseStates() {
        return denseStates;
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
