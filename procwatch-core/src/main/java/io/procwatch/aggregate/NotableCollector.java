package io.procwatch.aggregate;

import java.util.ArrayList;
import java.util.List;

/**
 * The DRL global {@code notables}: the aggregation rules hand it each group they close. The engine drains it
 * after every rule firing and sorts what closed together, so the output order does not depend on the order
 * in which Drools happened to fire activations.
 */
public final class NotableCollector {

    private final List<Notable> pending = new ArrayList<>();

    /** Called by the aggregation rule that closes a group. */
    public void emit(NotableGroup group) {
        pending.add(Notable.of(group));
    }

    /** Called by the rules that alert a result or raise a risk incident. */
    public void emit(Notable notable) {
        pending.add(notable);
    }

    /** Everything closed since the last drain, in {@link Notable#ORDER}. */
    public List<Notable> drain() {
        if (pending.isEmpty()) {
            return List.of();
        }
        List<Notable> out = new ArrayList<>(pending);
        pending.clear();
        out.sort(Notable.ORDER);
        return out;
    }
}
