package io.procwatch.aggregate;

import io.procwatch.detect.GroupKey;
import io.procwatch.detect.Match;

/**
 * A match placed in one of its notable windows: the aggregation rules turn each unsuppressed {@link Match} into
 * one of these per window that covers it (several when a schedule's windows overlap), then fold each into the
 * {@link NotableGroup} of its key. Short-lived: deleted as soon as it is folded.
 */
public final class WindowMatch {

    private final Match match;
    private final GroupKey key;

    public WindowMatch(Match match, GroupKey key) {
        this.match = match;
        this.key = key;
    }

    public Match getMatch() {
        return match;
    }

    public GroupKey getKey() {
        return key;
    }
}
