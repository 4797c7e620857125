package io.procwatch.sigma;

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
    private final String[] fields;
    private final AhoCorasick[] automata;
    /** needle id → rule indexes. */
    private final int[][] needleRules;

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
        Map<String, AhoCorasick> byField = new LinkedHashMap<>();
        List<List<Integer>> needles = new ArrayList<>();
        Map<String, Integer> needleIds = new LinkedHashMap<>();
        List<KiePackage> pkgs = new ArrayList<>(base.getKiePackages());
        List<Rule> rules = new ArrayList<>();
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
                    byField.computeIfAbsent(fn[0], f -> new AhoCorasick()).add(fn[1], nid);
                }
                if (!needles.get(nid).contains(idx)) {
                    needles.get(nid).add(idx);
                }
            }
        }
        this.ruleIds = ids.toArray(String[]::new);
        this.always = alwaysList.stream().mapToInt(Integer::intValue).toArray();
        this.fields = byField.keySet().toArray(String[]::new);
        this.automata = byField.values().toArray(AhoCorasick[]::new);
        for (AhoCorasick ac : automata) {
            ac.build();
        }
        this.needleRules = needles.stream().map(l -> l.stream().mapToInt(Integer::intValue).toArray())
                .toArray(int[][]::new);
    }

    /** The candidate rules for one event, each rule at most once. */
    public List<SigmaCandidate> candidates(ProcessEvent e) {
        boolean[] seen = new boolean[ruleIds.length];
        List<SigmaCandidate> out = new ArrayList<>(always.length + 4);
        for (int r : always) {
            seen[r] = true;
            out.add(new SigmaCandidate(ruleIds[r], e));
        }
        for (int f = 0; f < fields.length; f++) {
            String v = e.lc(fields[f]);
            if (v == null || v.isEmpty()) {
                continue;
            }
            automata[f].search(v, nid -> {
                for (int r : needleRules[nid]) {
                    if (!seen[r]) {
                        seen[r] = true;
                        out.add(new SigmaCandidate(ruleIds[r], e));
                    }
                }
            });
        }
        return out;
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

    // ---- guard encoding: "Field:needle|Field:needle", needle percent-encoded outside printable ASCII ----

    static String encodeGuard(List<String[]> pairs) {
        StringBuilder sb = new StringBuilder();
        for (String[] p : pairs) {
            if (sb.length() > 0) {
                sb.append('|');
            }
            sb.append(p[0]).append(':');
            for (int i = 0; i < p[1].length(); i++) {
                char c = p[1].charAt(i);
                if (c < 0x20 || c > 0x7e || c == '%' || c == '|' || c == '"' || c == '\\') {
                    sb.append('%').append(String.format("%04x", (int) c));
                } else {
                    sb.append(c);
                }
            }
        }
        return sb.toString();
    }

    static List<String[]> decodeGuard(String s) {
        List<String[]> out = new ArrayList<>();
        for (String part : s.split("\\|")) {
            int colon = part.indexOf(':');
            String field = part.substring(0, colon);
            String enc = part.substring(colon + 1);
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < enc.length(); i++) {
                char c = enc.charAt(i);
                if (c == '%') {
                    sb.append((char) Integer.parseInt(enc.substring(i + 1, i + 5), 16));
                    i += 4;
                } else {
                    sb.append(c);
                }
            }
            out.add(new String[]{field, sb.toString()});
        }
        return out;
    }
}
