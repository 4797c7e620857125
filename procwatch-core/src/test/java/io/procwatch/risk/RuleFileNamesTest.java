package io.procwatch.risk;

import io.procwatch.detect.RuleSet;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Drools breaks ties between rules of one phase (equal salience) by load order, which follows the names of the rule
 * files. The rules are written so that no output depends on it: the same rules under other file names, given in
 * the other order, make the same notables, risk events, throttling and incidents.
 */
class RuleFileNamesTest {

    @Test
    void outputsDoNotDependOnTheNamesOrOrderOfTheRuleFiles() throws Exception {
        Map<Path, String> files = new LinkedHashMap<>(RuleSet.readDrlFiles(Path.of("rules-drl")));
        files.put(Path.of("story.drl"), RiskStories.storyDrl("@throttle( fields=\"dest\", window=\"1d\" )"));
        Map<Path, String> renamed = new LinkedHashMap<>();
        List<Path> paths = new ArrayList<>(files.keySet());
        for (int i = paths.size() - 1; i >= 0; i--) {
            String stem = paths.get(i).getFileName().toString().replace(".drl", "");
            renamed.put(Path.of("zz_" + new StringBuilder(stem).reverse() + ".drl"), files.get(paths.get(i)));
        }
        // One list of events for both runs: the test events number their lines and GUIDs as they are made.
        List<io.procwatch.normalize.ProcessEvent> story = RiskStoryTest.story();
        RuleSet given = io.procwatch.TestRules.compile(files, "as given");
        RuleSet otherNames = io.procwatch.TestRules.compile(renamed, "renamed");
        assertNotEquals(loadOrder(given), loadOrder(otherNames), "the renamed files load the rules in another order");
        RiskStories.Run asGiven = RiskStories.run(given, story);
        RiskStories.Run other = RiskStories.run(otherNames, story);
        assertTrue(asGiven.incidents().size() > 0 && asGiven.risk().stream().anyMatch(r -> r.fields().get("throttled")
                .equals(true)), "the story throttles and raises incidents");
        assertEquals(texts(asGiven), texts(other));
    }

    /** The rules by Drools' load order, the order it breaks salience ties in. */
    private static List<String> loadOrder(RuleSet rules) {
        return rules.kieBase().getKiePackages().stream().flatMap(p -> p.getRules().stream())
                .map(r -> (org.drools.base.definitions.rule.impl.RuleImpl) r)
                .sorted(java.util.Comparator.comparingInt(org.drools.base.definitions.rule.impl.RuleImpl::getLoadOrder))
                .map(org.kie.api.definition.rule.Rule::getName).toList();
    }

    private static List<String> texts(RiskStories.Run run) {
        List<String> out = new ArrayList<>();
        run.notables().forEach(n -> out.add("notable " + n.fields()));
        run.risk().forEach(r -> out.add("risk " + r.fields()));
        return out;
    }
}
