package io.procwatch.risk;

import io.procwatch.lookup.AttackTactics.Tactic;
import org.kie.api.runtime.rule.AccumulateFunction;

import java.io.ObjectInput;
import java.io.ObjectOutput;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The DRL accumulate function {@code riskSummary( $riskEvent )}: sum, count, distinct sources, techniques and
 * tactics, first and last time of the risk events in a window ({@link RiskSummary}). Reversible (counts per
 * distinct value), so a risk event leaving the window by expiry is taken out without recounting the rest.
 * Declared in DRL with {@code import accumulate io.procwatch.risk.RiskSummaryFunction riskSummary}.
 */
public final class RiskSummaryFunction implements AccumulateFunction<RiskSummaryFunction.Context> {

    /** Running state of one window. */
    public static final class Context implements Serializable {
        double total;
        long count;
        final Map<String, long[]> sources = new TreeMap<>();
        final Map<String, long[]> techniques = new TreeMap<>();
        final Map<String, long[]> tactics = new TreeMap<>();
        final Map<String, String> tacticNames = new TreeMap<>();
        final TreeMap<Long, long[]> times = new TreeMap<>();
    }

    @Override
    public Context createContext() {
        return new Context();
    }

    @Override
    public void init(Context c) {
        c.total = 0;
        c.count = 0;
        c.sources.clear();
        c.techniques.clear();
        c.tactics.clear();
        c.tacticNames.clear();
        c.times.clear();
    }

    @Override
    public void accumulate(Context c, Object value) {
        RiskEvent e = (RiskEvent) value;
        c.total += e.getCalculatedRiskScore();
        c.count++;
        up(c.sources, e.getSource());
        for (String t : e.getTechniques()) {
            up(c.techniques, t);
        }
        for (Tactic t : e.getTactics()) {
            up(c.tactics, t.id());
            c.tacticNames.put(t.id(), t.name());
        }
        c.times.computeIfAbsent(e.getTime(), k -> new long[1])[0]++;
    }

    @Override
    public void reverse(Context c, Object value) {
        RiskEvent e = (RiskEvent) value;
        c.total -= e.getCalculatedRiskScore();
        c.count--;
        down(c.sources, e.getSource());
        for (String t : e.getTechniques()) {
            down(c.techniques, t);
        }
        for (Tactic t : e.getTactics()) {
            down(c.tactics, t.id());
        }
        down(c.times, e.getTime());
    }

    private static <K> void up(Map<K, long[]> m, K k) {
        m.computeIfAbsent(k, x -> new long[1])[0]++;
    }

    private static <K> void down(Map<K, long[]> m, K k) {
        long[] n = m.get(k);
        if (n != null && --n[0] == 0) {
            m.remove(k);
        }
    }

    @Override
    public Object getResult(Context c) {
        List<String> tacticNames = new ArrayList<>();
        for (String id : c.tactics.keySet()) {
            tacticNames.add(c.tacticNames.get(id));
        }
        // Sums of doubles drift under add/reverse; scores are whole or few-decimal numbers, so round to 1e-6.
        double total = Math.round(c.total * 1e6) / 1e6;
        return new RiskSummary(total, c.count, List.copyOf(c.sources.keySet()), List.copyOf(c.techniques.keySet()),
                List.copyOf(c.tactics.keySet()), List.copyOf(tacticNames),
                c.times.isEmpty() ? 0 : c.times.firstKey(), c.times.isEmpty() ? 0 : c.times.lastKey());
    }

    @Override
    public boolean supportsReverse() {
        return true;
    }

    @Override
    public Class<?> getResultType() {
        return RiskSummary.class;
    }

    @Override
    public void writeExternal(ObjectOutput out) {
    }

    @Override
    public void readExternal(ObjectInput in) {
    }
}
