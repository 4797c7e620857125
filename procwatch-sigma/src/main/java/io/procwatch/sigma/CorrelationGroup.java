package io.procwatch.sigma;

import io.procwatch.detect.Match;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * The group-by values of a Sigma correlation for one match, as its DRL binds them
 * ({@code $g : CorrelationGroup() from CorrelationGroup.of( $m, "User" )}): the event's values of the group-by
 * fields, lower-cased, since Sigma treats every value as a case-insensitive string ({@code CORP\Alice} and
 * {@code corp\alice} are one user). A field the event lacks is a null value: such events form their own group.
 *
 * @param values one per group-by field, in the correlation's order
 */
public record CorrelationGroup(List<String> values) {

    /** The group of {@code m}'s event over {@code fields} (none: one group for every event). */
    public static CorrelationGroup of(Match m, String... fields) {
        List<String> values = new ArrayList<>(fields.length);
        for (String f : fields) {
            String v = m.getEvent().get(f);
            values.add(v == null ? null : v.toLowerCase(Locale.ROOT));
        }
        return new CorrelationGroup(Collections.unmodifiableList(values));
    }
}
