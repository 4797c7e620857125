package io.procwatch.toolkit;

import org.apache.commons.text.similarity.LevenshteinDistance;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The field names a rule reads through {@code lc("…")}, {@code has("…")} and {@code get("…")}, checked against
 * the fields a process event can carry ({@link EventFields}): a misspelt name is never present, so its condition is
 * silently never true. Unknown names come with the nearest known name (did you mean).
 */
final class FieldReferences {

    private static final Pattern CALL = Pattern.compile("\\b(lc|has|get)\\s*\\(\\s*\"([^\"]*)\"\\s*\\)");
    private static final LevenshteinDistance DISTANCE = LevenshteinDistance.getDefaultInstance();

    /** An unknown field read at {@code offset} of the text, with the suggestion or null. */
    record Unknown(int offset, String call, String field, String suggestion) {
        String message() {
            return call + "(\"" + field + "\") reads a field no process event carries (the condition is never true)"
                    + (suggestion != null ? "; did you mean \"" + suggestion + "\"?" : "");
        }
    }

    private FieldReferences() {
    }

    /** Every unknown field read in {@code text} (a rule's source), in order. */
    static List<Unknown> unknown(String text) {
        List<Unknown> out = new ArrayList<>();
        Matcher m = CALL.matcher(text);
        while (m.find()) {
            String field = m.group(2);
            if (!EventFields.known(field)) {
                out.add(new Unknown(m.start(), m.group(1), field, suggest(field)));
            }
        }
        return out;
    }

    /** The known field nearest to {@code name}: same letters in another case first, then by edit distance. */
    static String suggest(String name) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String known : EventFields.all()) {
            if (known.equalsIgnoreCase(name)) {
                return known;
            }
            int d = DISTANCE.apply(name.toLowerCase(), known.toLowerCase());
            if (d < bestDistance) {
                bestDistance = d;
                best = known;
            }
        }
        return bestDistance <= Math.max(2, name.length() / 4) ? best : null;
    }
}
