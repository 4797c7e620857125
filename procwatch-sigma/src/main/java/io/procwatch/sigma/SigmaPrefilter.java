package io.procwatch.sigma;

import io.procwatch.normalize.FieldTable;
import io.procwatch.normalize.ProcessEvent;
import org.kie.api.KieBase;
import org.kie.api.definition.KiePackage;
import org.drools.base.base.ClassObjectType;
import org.drools.base.definitions.rule.impl.RuleImpl;
import org.drools.base.rule.GroupElement;
import org.drools.base.rule.Pattern;
import org.drools.base.rule.RuleConditionElement;
import org.drools.base.rule.constraint.Constraint;
import org.drools.modelcompiler.constraints.LambdaConstraint;
import org.drools.mvel.MVELConstraint;
import org.kie.api.definition.rule.Rule;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;

/**
 * The candidate index of the converted Sigma rules of one KieBase. Each converted rule carries
 * {@code @sigmaRule(id)}; its guard ({@link SigmaGuard}) is derived from its compiled constraints ({@link DrlGuard}):
 * up to {@link SigmaConverter#MAX_CLAUSES} clauses, each a set of (field, lower-case needle) pairs of which at
 * least one must occur in the event for the rule's constraints to hold. Per field, one Aho–Corasick automaton holds
 * every rule's needles; per event one pass per field yields the rules every clause of whose guard has a needle in
 * the event: the rules worth handing to Drools. Rules without a guard are candidates for every event. The
 * prefilter only narrows: a candidate is a rule Drools then evaluates; whether it matches is decided by its DRL
 * constraints.
 *
 * <p>Built once per rule set by its {@link SigmaRuntime} (from the rule metadata, so any mix of converted files
 * works); thread-safe, immutable but for a cache of its fields' slots per field table.
 */
public final class SigmaPrefilter {

    private final String[] ruleIds;
    private final int[] always;
    /** The guarded fields and, per field, one automaton of its needles. */
    private final String[] fieldNames;
    /** {@link #fieldNames}' slots in the field table of the events last seen (one table per engine). */
    private volatile TableSlots slots;
    private final AhoCorasick[] fieldAutomata;
    /** needle id → the (rule index, clause) pairs it satisfies, as {@code rule << CLAUSE_BITS | clause}. */
    private final int[][] needleRules;
    /** Per rule: the mask of its clauses (all must hit); 0 for the rules without a guard. */
    private final int[] fullMask;
    /** Bits for a clause index in {@link #needleRules}: room for {@link SigmaConverter#MAX_CLAUSES} clauses. */
    private static final int CLAUSE_BITS = 2;
    /** Per rule: its guard as text ({@link SigmaGuard}), for {@code explain}; null when unguarded. */
    private final String[] guards;

    private final SigmaRegexes regexes;
    /** Converted rules written on the event itself, not on a candidate: evaluated by Drools on every event. */
    private final List<String> eventRules;

    SigmaPrefilter(KieBase base, SigmaRegexes regexes) {
        this.regexes = regexes;
        List<String> ids = new ArrayList<>();
        List<Integer> alwaysList = new ArrayList<>();
        Map<String, List<Object[]>> needlesByField = new LinkedHashMap<>();
        List<List<Integer>> needles = new ArrayList<>();
        Map<String, Integer> needleIds = new LinkedHashMap<>();
        List<KiePackage> pkgs = new ArrayList<>(base.getKiePackages());
        List<Rule> rules = new ArrayList<>();
        List<String> guardTexts = new ArrayList<>();
        List<Integer> masks = new ArrayList<>();
        List<String> onEvent = new ArrayList<>();
        for (KiePackage p : pkgs) {
            rules.addAll(p.getRules());
        }
        rules.sort((a, b) -> a.getName().compareTo(b.getName()));
        for (Rule r : rules) {
            Object id = r.getMetaData().get("sigmaRule");
            if (id == null) {
                continue;
            }
            List<String> constraints = constraints(r);
            if (constraints == null) {
                // Written on the ProcessEvent itself (no guard could be proven at conversion): Drools evaluates it
                // on every event without a candidate.
                onEvent.add(id.toString());
                continue;
            }
            int idx = ids.size();
            ids.add(id.toString());
            // The guard is derived from the constraints Drools compiled, so an edited rule is guarded by its edit.
            List<List<String[]>> clauses = DrlGuard.of(constraints);
            masks.add((1 << clauses.size()) - 1);
            if (clauses.isEmpty()) {
                guardTexts.add(null);
                alwaysList.add(idx);
                continue;
            }
            guardTexts.add(SigmaGuard.text(clauses));
            for (int c = 0; c < clauses.size(); c++) {
                int entry = idx << CLAUSE_BITS | c;
                for (String[] fn : clauses.get(c)) {
                    String key = fn[0] + "\u0000" + fn[1];
                    Integer nid = needleIds.get(key);
                    if (nid == null) {
                        nid = needles.size();
                        needleIds.put(key, nid);
                        needles.add(new ArrayList<>());
                        needlesByField.computeIfAbsent(fn[0], f -> new ArrayList<>()).add(new Object[]{fn[1], nid});
                    }
                    if (!needles.get(nid).contains(entry)) {
                        needles.get(nid).add(entry);
                    }
                }
            }
        }
        this.ruleIds = ids.toArray(String[]::new);
        this.fullMask = masks.stream().mapToInt(Integer::intValue).toArray();
        this.eventRules = List.copyOf(onEvent);
        this.guards = guardTexts.toArray(String[]::new);
        this.always = alwaysList.stream().mapToInt(Integer::intValue).toArray();
        this.fieldNames = needlesByField.keySet().toArray(String[]::new);
        this.fieldAutomata = new AhoCorasick[fieldNames.length];
        for (int f = 0; f < fieldNames.length; f++) {
            fieldAutomata[f] = automaton(needlesByField.get(fieldNames[f]));
        }
        this.needleRules = needles.stream().map(l -> l.stream().mapToInt(Integer::intValue).toArray())
                .toArray(int[][]::new);
    }

    /** The guarded fields' slots in {@code table}; resolved once per table, the rule set being shareable. */
    private record TableSlots(FieldTable table, int[] slots) {
    }

    private int[] slotsIn(FieldTable table) {
        TableSlots s = slots;
        if (s == null || s.table() != table) {
            s = new TableSlots(table, java.util.Arrays.stream(fieldNames).mapToInt(table::of).toArray());
            slots = s;
        }
        return s.slots();
    }

    private static AhoCorasick automaton(List<Object[]> needles) {
        AhoCorasick ac = new AhoCorasick();
        for (Object[] n : needles) {
            ac.add((String) n[0], (Integer) n[1]);
        }
        ac.build();
        return ac;
    }

    /**
     * Reports the id of every needle occurring in the event (repeats possible): each guarded field's needles
     * over its lower-cased value, searched case-folding on the raw value when that is exact.
     */
    void scan(ProcessEvent e, IntConsumer onNeedle) {
        int[] fieldSlots = slotsIn(e.fieldTable());
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
     * The candidate rules for one event, each rule at most once: the rules every clause of whose guard has a
     * needle in the event, and the rules without a guard. Drools evaluates each candidate rule's constraints.
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
     * thread evaluates earlier events, so on two cores the Aho–Corasick passes overlap with Drools' work.
     */
    public void prepare(ProcessEvent e) {
        e.setPrepared(this, search(e));
    }

    private List<SigmaCandidate> search(ProcessEvent e) {
        Search s = new Search(e);
        for (int r : always) {
            offer(r, e, s.out); // no needles: never hit below, so never offered twice
        }
        scan(e, nid -> {
            for (int entry : needleRules[nid]) {
                s.hit(entry >>> CLAUSE_BITS, 1 << (entry & ((1 << CLAUSE_BITS) - 1)));
            }
        });
        return s.out;
    }

    /**
     * One event's search: per rule hit so far, the clauses of its guard that have a needle in the event; a rule
     * becomes a candidate when the last of its clauses hits. The rules are kept in a short list while they are few
     * (an event hits about a dozen of the 1,400 rules, so a mask per rule would mostly be zeroed for nothing), then
     * in a mask per rule (an event crafted to hold many needles must not make the check quadratic).
     */
    private final class Search {
        private static final int LIST_LIMIT = 64;
        final ProcessEvent e;
        final List<SigmaCandidate> out = new ArrayList<>(4);
        final int[] rules = new int[LIST_LIMIT];
        final int[] hitMasks = new int[LIST_LIMIT];
        int n;
        int[] masks;

        Search(ProcessEvent e) {
            this.e = e;
        }

        /** Clause bit {@code clause} of guarded rule {@code r} has a needle. */
        void hit(int r, int clause) {
            int before;
            if (masks != null) {
                before = masks[r];
                masks[r] = before | clause;
            } else {
                int i = 0;
                while (i < n && rules[i] != r) {
                    i++;
                }
                if (i < n) {
                    before = hitMasks[i];
                    hitMasks[i] = before | clause;
                } else if (n < LIST_LIMIT) {
                    rules[n] = r;
                    before = 0;
                    hitMasks[n++] = clause;
                } else {
                    masks = new int[ruleIds.length];
                    for (int j = 0; j < n; j++) {
                        masks[rules[j]] = hitMasks[j];
                    }
                    hit(r, clause);
                    return;
                }
            }
            // A candidate once: when the hit completes its clauses.
            int full = fullMask[r];
            if (before != full && (before | clause) == full) {
                SigmaPrefilter.this.offer(r, e, out);
            }
        }
    }

    private void offer(int r, ProcessEvent e, List<SigmaCandidate> out) {
        out.add(new SigmaCandidate(ruleIds[r], e, regexes));
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

    /** The converted rules written on candidates, which the prefilter hands to Drools. */
    public int ruleCount() {
        return ruleIds.length;
    }

    /**
     * Rules without a guard, evaluated on every event: those written on the event itself and those on a candidate
     * whose constraints give no guard (an edited rule), which get a candidate for every event.
     */
    public int unguardedCount() {
        return always.length + eventRules.size();
    }

    public List<String> unguardedRules() {
        List<String> out = new ArrayList<>(eventRules);
        Arrays.stream(always).mapToObj(i -> ruleIds[i]).forEach(out::add);
        return out;
    }

    /**
     * The constraint texts of a converted rule's {@link SigmaCandidate} pattern, as Drools compiled them (top-level
     * conjunction only; anything else gives no texts and so no guard): MVEL constraints of DRL compiled at run time,
     * lambda constraints of the executable model with the DRL text they came from. Null when the rule has no
     * {@code SigmaCandidate} pattern (a rule written on the event itself).
     */
    static List<String> constraints(Rule rule) {
        List<String> out = new ArrayList<>();
        return rule instanceof RuleImpl impl && collect(impl.getLhs(), out) ? out : null;
    }

    /** Adds the candidate pattern's constraint texts; true when there is such a pattern. */
    private static boolean collect(RuleConditionElement e, List<String> out) {
        if (e instanceof GroupElement g && g.isAnd()) {
            boolean found = false;
            for (RuleConditionElement c : g.getChildren()) {
                found |= collect(c, out);
            }
            return found;
        } else if (e instanceof Pattern p && p.getObjectType() instanceof ClassObjectType t
                && t.getClassType() == SigmaCandidate.class) {
            for (Constraint c : p.getConstraints()) {
                if (c instanceof MVELConstraint m) {
                    out.add(m.getExpression());
                } else if (c instanceof LambdaConstraint l && l.getPredicateInformation() != null
                        && !l.getPredicateInformation().isEmpty()) {
                    // The executable model (a cached KieBase) keeps each constraint's DRL text for its messages.
                    // A constraint without one is left out: a guard of the other conjuncts is still necessary.
                    out.add(l.getPredicateInformation().getStringConstraint());
                }
            }
            return true;
        }
        return false;
    }

    /** A rule's guard (derived from its constraints), or null when it has none or is not a Sigma rule. */
    public String guard(String ruleId) {
        for (int i = 0; i < ruleIds.length; i++) {
            if (ruleIds[i].equals(ruleId)) {
                return guards[i];
            }
        }
        return null;
    }

    /**
     * {@code procwatch explain}: the needles of a guard that occur in the event, as {@code Field contains "needle"};
     * the prefilter hands the event to the rule only when every clause of the guard has one ({@link #guardHolds}).
     */
    public static List<String> guardHits(String guard, ProcessEvent e) {
        List<String> out = new ArrayList<>();
        for (List<String[]> clause : SigmaGuard.parse(guard)) {
            for (String[] fn : clause) {
                String v = e.lc(fn[0]);
                if (v != null && v.contains(fn[1])) {
                    out.add(fn[0] + " contains " + SigmaGuard.literal(fn[1]));
                }
            }
        }
        return out;
    }

    /** True when every clause of the guard has a needle in the event: the rule is then a candidate. */
    public static boolean guardHolds(String guard, ProcessEvent e) {
        for (List<String[]> clause : SigmaGuard.parse(guard)) {
            boolean any = false;
            for (String[] fn : clause) {
                String v = e.lc(fn[0]);
                any |= v != null && v.contains(fn[1]);
            }
            if (!any) {
                return false;
            }
        }
        return true;
    }
}
