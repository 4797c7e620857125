package io.procwatch.detect;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which detections a run loads, by their metadata: a minimum level, statuses, tags, ids to keep or leave out.
 * Applied by {@link RuleSet#select}, which builds a KieBase without the other detections, so what runs is
 * decided by which rules exist, never by Java code looking at events. Filter and aggregation rules always stay.
 *
 * @param minLevel  the least level kept ({@link RuleLabels#LEVELS}), or null for any
 * @param statuses  statuses kept ({@code @status}, lower case), empty for any
 * @param tags      a detection is kept when it has one of these tags ({@link RuleLabels#hasTag}), empty for any
 * @param ids       only these {@code @id}s, empty for all
 * @param excluded  these {@code @id}s never
 */
public record RuleSelection(String minLevel, Set<String> statuses, List<String> tags, Set<String> ids,
                            Set<String> excluded) {

    /** Every detection. */
    public static final RuleSelection ALL = new RuleSelection(null, Set.of(), List.of(), Set.of(), Set.of());

    public RuleSelection {
        if (minLevel != null && RuleLabels.rankOf(minLevel) < 0) {
            throw new IllegalArgumentException("level '" + minLevel + "' is not one of " + RuleLabels.LEVELS);
        }
        statuses = statuses.stream().map(s -> s.strip().toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
        tags = List.copyOf(tags);
        ids = Set.copyOf(ids);
        excluded = Set.copyOf(excluded);
    }

    /** True when this selection keeps every detection whatever its metadata. */
    public boolean isAll() {
        return minLevel == null && statuses.isEmpty() && tags.isEmpty() && ids.isEmpty() && excluded.isEmpty();
    }

    /** True when the detection is kept. */
    public boolean selects(DetectionRule d) {
        RuleLabels l = d.labels();
        if (minLevel != null && l.levelRank() < RuleLabels.rankOf(minLevel)) {
            return false;
        }
        if (!statuses.isEmpty() && !statuses.contains(l.status())) {
            return false;
        }
        if (!tags.isEmpty() && tags.stream().noneMatch(l::hasTag)) {
            return false;
        }
        if (!ids.isEmpty() && !ids.contains(d.id())) {
            return false;
        }
        return !excluded.contains(d.id());
    }
}
