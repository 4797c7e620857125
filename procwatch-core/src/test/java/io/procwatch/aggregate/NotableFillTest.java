package io.procwatch.aggregate;

import io.procwatch.normalize.FieldTable;
import io.procwatch.normalize.LogSource;
import io.procwatch.normalize.ProcessEvent;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The risk message template: {@code $field$} tokens filled from the group values, then the first event. */
class NotableFillTest {

    private static final ProcessEvent EVENT = new ProcessEvent(FieldTable.create(), LogSource.SYSMON, 1, 0L, null,
            Map.of("Computer", "host-1", "CommandLine", "a $1 \\ b$ c", "parent_process", "x"));
    private static final Map<String, String> GROUP = Map.of("dest", "DEST-9", "user", "u$er");

    @Test
    void fillsGroupValuesThenEventFieldsAndLeavesOtherDollarsAlone() {
        assertEquals("An instance on DEST-9 by u$er (host-1)", Notable.fill("An instance on $dest$ by $user$ ($Computer$)",
                GROUP, EVENT));
        assertEquals("cmd: a $1 \\ b$ c.", Notable.fill("cmd: $CommandLine$.", GROUP, EVENT));
        assertEquals("$ $$ $a b$ 5$", Notable.fill("$ $$ $a b$ 5$", GROUP, EVENT));
        assertEquals("DEST-9DEST-9$", Notable.fill("$dest$$dest$$", GROUP, EVENT));
        assertEquals("no tokens", Notable.fill("no tokens", GROUP, EVENT));
        assertEquals("", Notable.fill("$missing$", GROUP, EVENT));
    }

    /** The regex replacement the hand scan replaced, as an oracle over random templates. */
    @Test
    void sameAsTheRegexReplacementOnRandomTemplates() {
        Pattern token = Pattern.compile("\\$([A-Za-z0-9_.@-]+)\\$");
        String[] pieces = {"$", "$", "dest", "user", "Computer", "CommandLine", "missing", " ", "a", "-", ".", "@", "\\", "é"};
        Random r = new Random(7);
        for (int round = 0; round < 5000; round++) {
            StringBuilder t = new StringBuilder();
            for (int k = r.nextInt(12); k > 0; k--) {
                t.append(pieces[r.nextInt(pieces.length)]);
            }
            Matcher m = token.matcher(t);
            StringBuilder want = new StringBuilder();
            while (m.find()) {
                String v = GROUP.containsKey(m.group(1)) ? GROUP.get(m.group(1)) : EVENT.get(m.group(1));
                m.appendReplacement(want, Matcher.quoteReplacement(v == null ? "" : v));
            }
            m.appendTail(want);
            assertEquals(want.toString(), Notable.fill(t.toString(), GROUP, EVENT), "template " + t);
        }
    }
}
