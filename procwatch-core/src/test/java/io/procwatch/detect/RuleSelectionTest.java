package io.procwatch.detect;

import io.procwatch.TestRules;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Selection leaves detections out of the KieBase itself; the rule set it came from is untouched. */
class RuleSelectionTest {

    static final String PSUQ = "5fc297ae-25b6-488a-8f25-cc12ac29b744";
    static final String WSQE = "c4c0a2d4-0675-4fde-97b7-115145ba257c";

    private static RuleSelection ids(String... ids) {
        return new RuleSelection(null, Set.of(), List.of(), Set.of(ids), Set.of());
    }

    @Test
    void unselectedDetectionsAreNotInTheKieBase() throws Exception {
        for (RuleSet rules : List.of(RuleSet.bundled(), TestRules.rulesDrl())) {
            RuleSet only = rules.select(ids(WSQE));
            assertEquals(List.of(WSQE), only.catalog().detections().stream().map(DetectionRule::id).toList());
            String psuqName = rules.catalog().byId(PSUQ).ruleName();
            assertNull(only.kieBase().getRule("io.procwatch.rules", psuqName), "removed from the KieBase");
            assertNotNull(rules.kieBase().getRule("io.procwatch.rules", psuqName), "the original keeps it");
            assertEquals(rules.ruleCount() - 1, only.ruleCount(), "filters and aggregation stay");
            assertSame(rules, rules.select(RuleSelection.ALL));
        }
    }

    @Test
    void labelsSelectByLevelStatusAndTag() throws Exception {
        RuleSet rules = RuleSet.bundled();
        DetectionRule psuq = rules.catalog().byId(PSUQ);
        assertEquals("medium", psuq.labels().level());
        assertEquals("test", psuq.labels().status());
        assertTrue(psuq.labels().hasTag("attack.t1090"));
        assertTrue(psuq.labels().hasTag("ATTACK.COMMAND_AND_CONTROL"));
        DetectionRule wsqe = rules.catalog().byId(WSQE);
        assertTrue(wsqe.labels().hasTag("t1564"), "a technique selects its sub-techniques");
        assertTrue(!wsqe.labels().hasTag("t1564.001"));
        assertTrue(new RuleSelection("medium", Set.of(), List.of(), Set.of(), Set.of()).selects(psuq));
        assertTrue(!new RuleSelection("high", Set.of(), List.of(), Set.of(), Set.of()).selects(psuq));
        assertTrue(!new RuleSelection(null, Set.of("stable"), List.of(), Set.of(), Set.of()).selects(psuq));
        assertTrue(!new RuleSelection(null, Set.of(), List.of(), Set.of(), Set.of(PSUQ)).selects(psuq));
    }
}
