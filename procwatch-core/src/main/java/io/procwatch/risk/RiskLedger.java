package io.procwatch.risk;

import org.drools.core.common.InternalFactHandle;
import org.kie.api.event.rule.ObjectDeletedEvent;
import org.kie.api.event.rule.ObjectInsertedEvent;
import org.kie.api.event.rule.ObjectUpdatedEvent;
import org.kie.api.event.rule.RuleRuntimeEventListener;
import org.kie.api.runtime.rule.FactHandle;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * An index of one session's published risk events by risk object, each object's oldest first: what
 * {@code RiskEvent( published, riskObject == $o, riskObjectType == $ty )} matches in working memory. It learns of
 * them by listening to the session's inserts and updates (publishing, a hand-over, a restore alike) and holds their
 * fact handles: one deleted, or expired by {@code @expires} (Drools tells no listener of an expiry), is skipped
 * and let go, so the index and working memory agree at every firing. The risk incident rules read a window of it
 * ({@link RiskActions#window}) instead of accumulating over working memory, which made every check walk all the
 * object's risk events through Drools' join memory (most of the session thread's time on a stream with many risk
 * events per object). It decides nothing: the rules compare what it reports with their thresholds. Used on the
 * session thread only.
 */
public final class RiskLedger implements RuleRuntimeEventListener {

    /** A published risk event and its handle in the session. */
    private record Entry(RiskEvent event, InternalFactHandle handle) {
        boolean live() {
            return handle.isValid() && !handle.isExpired() && handle.getObject() == event;
        }

        long time() {
            return event.getTime();
        }
    }

    /** Risk object type, then risk object: published risk events, oldest first (equal times in arrival order). */
    private final Map<String, Map<String, ArrayList<Entry>>> events = new HashMap<>();
    /** Entries added since the last sweep of every object ({@link #sweep}), and entries that sweep kept. */
    private long addedSinceSweep;
    private long keptBySweep;

    @Override
    public void objectInserted(ObjectInsertedEvent event) {
        if (event.getObject() instanceof RiskEvent e && e.isPublished()) {
            add(e, event.getFactHandle());
        }
    }

    @Override
    public void objectUpdated(ObjectUpdatedEvent event) {
        if (event.getObject() instanceof RiskEvent e && e.isPublished()) {
            add(e, event.getFactHandle()); // published while in working memory (a rule that modifies it)
        }
    }

    @Override
    public void objectDeleted(ObjectDeletedEvent event) {
        // Nothing to do: a deleted handle is no longer valid, and the entry goes at the next look at its object.
    }

    /** Adds a published risk event (once: an event already held under this handle is left as it is). */
    void add(RiskEvent e, FactHandle h) {
        InternalFactHandle handle = (InternalFactHandle) h;
        ArrayList<Entry> list = events.computeIfAbsent(e.getRiskObjectType(), k -> new HashMap<>())
                .computeIfAbsent(e.getRiskObject(), k -> new ArrayList<>());
        prune(list);
        int end = upperBound(list, e.getTime());
        for (int i = end - 1; i >= 0 && list.get(i).time() == e.getTime(); i--) {
            if (list.get(i).event() == e && list.get(i).handle() == handle) {
                return;
            }
        }
        list.add(end, new Entry(e, handle));
        if (++addedSinceSweep > Math.max(keptBySweep, 256)) { // amortised: a sweep costs what was added since
            sweep();
        }
    }

    /**
     * Hands the published risk events of one risk object in working memory whose time is after {@code after} and
     * at or before {@code upTo} to {@code each}, oldest first, and returns how many. {@code each} must not change
     * the index.
     */
    int window(String riskObject, String riskObjectType, long after, long upTo,
               java.util.function.Consumer<RiskEvent> each) {
        Map<String, ArrayList<Entry>> byObject = events.get(riskObjectType);
        ArrayList<Entry> list = byObject == null ? null : byObject.get(riskObject);
        if (list == null || after >= upTo) {
            return 0;
        }
        prune(list);
        int n = 0;
        for (int i = upperBound(list, after); i < list.size() && list.get(i).time() <= upTo; i++) {
            Entry en = list.get(i);
            if (en.live()) {
                each.accept(en.event());
                n++;
            }
        }
        return n;
    }

    /** Risk events held (all objects, gone ones not yet let go included). */
    int size() {
        int n = 0;
        for (Map<String, ArrayList<Entry>> byObject : events.values()) {
            for (ArrayList<Entry> list : byObject.values()) {
                n += list.size();
            }
        }
        return n;
    }

    /** Lets go of the gone entries of every object, and of objects left with none. */
    private void sweep() {
        addedSinceSweep = 0;
        keptBySweep = 0;
        for (Iterator<Map<String, ArrayList<Entry>>> types = events.values().iterator(); types.hasNext(); ) {
            Map<String, ArrayList<Entry>> byObject = types.next();
            for (Iterator<ArrayList<Entry>> it = byObject.values().iterator(); it.hasNext(); ) {
                ArrayList<Entry> list = it.next();
                list.removeIf(en -> !en.live());
                keptBySweep += list.size();
                if (list.isEmpty()) {
                    it.remove();
                }
            }
            if (byObject.isEmpty()) {
                types.remove();
            }
        }
    }

    /** Lets go of the gone entries at the front of an object's list (expiry goes oldest first). */
    private static void prune(ArrayList<Entry> list) {
        int n = 0;
        while (n < list.size() && !list.get(n).live()) {
            n++;
        }
        if (n > 0) {
            list.subList(0, n).clear();
        }
    }

    /** The index of the first entry whose time is after {@code time}. */
    private static int upperBound(List<Entry> list, long time) {
        int lo = 0;
        int hi = list.size();
        if (hi == 0 || list.get(hi - 1).time() <= time) {
            return hi; // the usual case when adding: risk events are published oldest first
        }
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (list.get(mid).time() <= time) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }
}
