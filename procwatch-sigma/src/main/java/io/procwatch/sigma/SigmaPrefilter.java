package io.procwatch.sigma;

import io.procwatch.normalize.FieldSlots;
import io.procwatch.normalize.ProcessEvent;
import org.kie.api.KieBase;
import org.kie.api.definition.KiePackage;
import org.kie.api.definition.rule.Rule;
import org.kie.api.runtime.rule.RuleContext;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.function.IntConsumer;

/**
 * The candidate index of the converted Sigma rules of one KieBase. Each converted rule carries
 * {@code @sigmaRule(id)} and, when the converter could prove one, {@code @sigmaGuard}: a set of
 * (field, lower-case needle) pairs of which at least one must occur in the event for the rule to match.
 * Per field, one Aho–Corasick automaton holds every rule's needles; per event one pass per field yields the
 * rules worth evaluating. Rules without a guard are always candidates.
 *
 * <p>Built once per KieBase (from its rule metadata, so any mix of converted files works) and cached.
 */
public final class SigmaPrefilter {

    private static final Map<KieBase, SigmaPrefilter> CACHE = new WeakHashMap<>();

    private final String[] ruleIds;
    private final int[] always;
    /** The guarded fields and, per field, one automaton of its needles. */
    private final String[] fieldNames;
    private final int[] fieldSlots;
    private final AhoCorasick[] fieldAutomata;
    /** needle id → rule indexes. */
    private final int[][] needleRules;
    /** Per rule: its compiled {@code @sigmaCondition}, or null when the DRL rule holds the condition itself. */
    private final SigmaMatcher[] conditions;

    /** The prefilter of the KieBase the firing rule belongs to. */
    public static SigmaPrefilter of(RuleContext kcontext) {
        return of(kcontext.getKieRuntime().getKieBase());
    }

    public static synchronized SigmaPrefilter of(KieBase base) {
        return CACHE.computeIfAbsent(base, SigmaPrefilter::new);
    }

    private SigmaPrefilter(KieBase base) {
        List<String> ids = new ArrayList<>();
        List<Integer> alwaysList = new ArrayList<>();
        Map<String, List<Object[]>> needlesByField = new LinkedHashMap<>();
        List<List<Integer>> needles = new ArrayList<>();
        Map<String, Integer> needleIds = new LinkedHashMap<>();
        List<KiePackage> pkgs = new ArrayList<>(base.getKiePackages());
        List<Rule> rules = new ArrayList<>();
        List<SigmaMatcher> conds = new ArrayList<>();
        for (KiePackage p : pkgs) {
            rules.addAll(p.getRules());
        }
        rules.sort((a, b) -> a.getName().compareTo(b.getName()));
        for (Rule r : rules) {
            Object id = r.getMetaData().get("sigmaRule");
            if (id == null) {
                continue;
            }
            int idx = ids.size();
            ids.add(id.toString());
            Object cond = r.getMetaData().get("sigmaCondition");
            conds.add(cond == null ? null : SigmaMatcher.parse(cond.toString()));
            Object guard = r.getMetaData().get("sigmaGuard");
            if (guard == null || guard.toString().isEmpty()) {
                alwaysList.add(idx);
                continue;
            }
            for (String[] fn : decodeGuard(guard.toString())) {
                String key = fn[0] + "\u0000" + fn[1];
                Integer nid = needleIds.get(key);
                if (nid == null) {
                    nid = needles.size();
                    needleIds.put(key, nid);
                    needles.add(new ArrayList<>());
                    needlesByField.computeIfAbsent(fn[0], f -> new ArrayList<>()).add(new Object[]{fn[1], nid});
                }
                if (!needles.get(nid).contains(idx)) {
                    needles.get(nid).add(idx);
                }
            }
        }
        this.ruleIds = ids.toArray(String[]::new);
        this.conditions = conds.toArray(SigmaMatcher[]::new);
        this.always = alwaysList.stream().mapToInt(Integer::intValue).toArray();
        this.fieldNames = needlesByField.keySet().toArray(String[]::new);
        this.fieldSlots = java.util.Arrays.stream(fieldNames).mapToInt(FieldSlots::of).toArray();
        this.fieldAutomata = new AhoCorasick[fieldNames.length];
        for (int f = 0; f < fieldNames.length; f++) {
            AhoCorasick ac = new AhoCorasick();
            for (Object[] n : needlesByField.get(fieldNames[f])) {
                ac.add((String) n[0], (Integer) n[1]);
            }
            ac.build();
            fieldAutomata[f] = ac;
        }
        this.needleRules = needles.stream().map(l -> l.stream().mapToInt(Integer::intValue).toArray())
                .toArray(int[][]::new);
    }

    /**
     * Reports the id of every needle occurring in the event (repeats possible): each guarded field's needles
     * over its lower-cased value, searched case-folding on the raw value when that is exact.
     */
    void scan(ProcessEvent e, IntConsumer onNeedle) {
        // All values first: independent lookups whose cache misses overlap (a replayed event is cold), then scan.
        String[] vals = new String[fieldNames.length];
        int chars = 0;
        for (int f = 0; f < vals.length; f++) {
            String v = e.get(fieldSlots[f]);
            vals[f] = v;
            if (v != null) {
                chars += v.length();
            }
        }
        if (chars == 0) {
            return;
        }
        for (int f = 0; f < vals.length; f++) {
            String v = vals[f];
            if (v != null && !v.isEmpty() && !fieldAutomata[f].searchFolded(v, onNeedle)) {
                fieldAutomata[f].search(e.lc(fieldSlots[f]), onNeedle);
            }
        }
    }

    /**
     * The candidate rules for one event, each rule at most once: the rules one of whose guard needles occurs
     * (or that have no guard) and whose compiled condition, when they carry one, holds.
     */
    public List<SigmaCandidate> candidates(ProcessEvent e) {
        Object ahead = e.takePrepared(this);
        if (ahead != null) {
            @SuppressWarnings("unchecked")
            List<SigmaCandidate> c = (List<SigmaCandidate>) ahead;
            return c;
        }
        return search(e);
    }

    /**
     * Finds the event's candidates now and leaves them in the event for {@link #candidates} (see
     * {@link ProcessEvent#setPrepared}). Thread-safe: the reading or submitting thread calls it while the session
     * thread evaluates earlier events, so on two cores the Aho–Corasick passes and the conditions overlap with
     * Drools' work.
     */
    public void prepare(ProcessEvent e) {
        e.setPrepared(this, search(e));
    }

    private List<SigmaCandidate> search(ProcessEvent e) {
        Search s = new Search(e);
        for (int r : always) {
            s.offer(r);
        }
        scan(e, nid -> {
            for (int r : needleRules[nid]) {
                s.offer(r);
            }
        });
        return s.out;
    }

    /**
     * One event's search: the rules already offered, in a short list while they are few (an event makes about a
     * dozen of the 1,400 rules candidates, so a flag per rule would mostly be zeroed for nothing), then in flags
     * (an event crafted to hold many needles must not make the check quadratic).
     */
    private final class Search {
        private static final int LIST_LIMIT = 64;
        final ProcessEvent e;
        final List<SigmaCandidate> out = new ArrayList<>(4);
        final int[] offered = new int[LIST_LIMIT];
        int n;
        boolean[] seen;

        Search(ProcessEvent e) {
            this.e = e;
        }

        void offer(int r) {
            if (seen != null) {
                if (seen[r]) {
                    return;
                }
                seen[r] = true;
            } else {
                for (int i = 0; i < n; i++) {
                    if (offered[i] == r) {
                        return;
                    }
                }
                if (n < LIST_LIMIT) {
                    offered[n++] = r;
                } else {
                    seen = new boolean[ruleIds.length];
                    for (int i = 0; i < n; i++) {
                        seen[offered[i]] = true;
                    }
                    seen[r] = true;
                }
            }
            SigmaPrefilter.this.offer(r, e, out);
        }
    }

    private void offer(int r, ProcessEvent e, List<SigmaCandidate> out) {
        SigmaMatcher m = conditions[r];
        if (m == null || m.test(e)) {
            out.add(new SigmaCandidate(ruleIds[r], e));
        }
    }

    /**
     * Where prefilter time goes: per rule, nanoseconds spent evaluating its condition over {@code events}
     * (as a candidate), and how often it was a candidate; the costliest first.
     */
    public List<String> profile(List<ProcessEvent> events, int top) {
        long[] nanos = new long[ruleIds.length];
        int[] hits = new int[ruleIds.length];
        for (ProcessEvent e : events) {
            boolean[] seen = new boolean[ruleIds.length];
            IntConsumer eval = r -> {
                long t = System.nanoTime();
                if (conditions[r] != null) {
                    conditions[r].test(e);
                }
                nanos[r] += System.nanoTime() - t;
                hits[r]++;
            };
            for (int r : always) {
                seen[r] = true;
                eval.accept(r);
            }
            scan(e, nid -> {
                for (int r : needleRules[nid]) {
                    if (!seen[r]) {
                        seen[r] = true;
                        eval.accept(r);
                    }
                }
            });
        }
        Integer[] order = new Integer[ruleIds.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Long.compare(nanos[b], nanos[a]));
        List<String> out = new ArrayList<>();
        for (int i = 0; i < Math.min(top, order.length); i++) {
            int r = order[i];
            out.add(String.format("%8.1f ms %6d candidates %s%s", nanos[r] / 1e6, hits[r], ruleIds[r],
                    Arrays.stream(always).anyMatch(x -> x == r) ? " (unguarded)" : ""));
        }
        return out;
    }

    /** One line per field automaton: field, states, distinct characters. */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        for (int f = 0; f < fieldNames.length; f++) {
            sb.append(String.format("%s: %d states, %d chars; ", fieldNames[f], fieldAutomata[f].states(),
                    fieldAutomata[f].alphabet()));
        }
        return sb.toString();
    }

    public int ruleCount() {
        return ruleIds.length;
    }

    /** Rules without a guard: evaluated on every event. */
    public int unguardedCount() {
        return always.length;
    }

    public List<String> unguardedRules() {
        return Arrays.stream(always).mapToObj(i -> ruleIds[i]).toList();
    }

    /**
     * {@code procwatch explain}: the needles of a rule's {@code @sigmaGuard} that occur in the event, as
     * {@code Field: needle}; the prefilter evaluates the rule's condition only when there is at least one.
     */
    public static List<String> guardHits(String guard, ProcessEvent e) {
        List<String> out = new ArrayList<>();
        for (String[] fn : decodeGuard(guard)) {
            String v = e.lc(fn[0]);
            if (v != null && v.contains(fn[1])) {
                out.add(fn[0] + ": \"" + fn[1] + "\"");
            }
        }
        return out;
    }

    // ---- guard encoding: "Field:needle|Field:needle", needle percent-encoded outside printable ASCII ----

    static String encodeGuard(List<String[]> pairs) {
        StringBuilder sb = new StringBuilder();
        for (String[] p : pairs) {
            if (sb.length() > 0) {
                sb.append('|');
            }
            sb.append(p[0]).append(':');
            PercentCode.encode(sb, p[1], "|\"\\");
        }
        return sb.toString();
    }

    static List<String[]> decodeGuard(String s) {
        List<String[]> out = new ArrayList<>();
        for (String part : s.split("\\|")) {
            int colon = part.indexOf(':');
            String field = part.substring(0, colon);
            out.add(new String[]{field, PercentCode.decode(part.substring(colon + 1))});
        }
        return out;
    }
}
