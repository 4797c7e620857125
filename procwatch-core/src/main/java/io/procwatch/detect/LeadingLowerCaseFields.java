package io.procwatch.detect;

import io.procwatch.normalize.ProcessEvent;
import org.drools.base.definitions.rule.impl.RuleImpl;
import org.drools.base.rule.GroupElement;
import org.drools.base.rule.Pattern;
import org.drools.base.rule.RuleConditionElement;
import org.drools.base.rule.constraint.Constraint;
import org.drools.base.base.ClassObjectType;
import org.drools.modelcompiler.constraints.LambdaConstraint;
import org.drools.mvel.MVELConstraint;
import org.kie.api.KieBase;
import org.kie.api.definition.KiePackage;
import org.kie.api.definition.rule.Rule;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;

/**
 * The fields a rule set's {@link ProcessEvent} patterns read lower-cased first ({@code lc( "CommandLine" )} in the
 * first constraint that lower-cases anything): every event that reaches such a pattern has that field lower-cased
 * by the session. {@code DetectionSession.prepare} does it on the reading thread instead, so the session thread
 * (the pipeline's busiest) finds it in the event's cache. A prefetch only: the value is the same whoever computes
 * it, and a field missed here is still lower-cased when a rule asks.
 */
final class LeadingLowerCaseFields {

    private static final java.util.regex.Pattern LC = java.util.regex.Pattern.compile("\\blc\\(\\s*\"([^\"]+)\"\\s*\\)");

    private LeadingLowerCaseFields() {
    }

    /** The fields, in name order; empty when no rule lower-cases a process event field. */
    static List<String> of(KieBase base) {
        Set<String> out = new TreeSet<>();
        for (KiePackage p : base.getKiePackages()) {
            for (Rule r : p.getRules()) {
                if (r instanceof RuleImpl impl) {
                    collect(impl.getLhs(), out);
                }
            }
        }
        return List.copyOf(out);
    }

    private static void collect(RuleConditionElement e, Set<String> out) {
        if (e instanceof GroupElement g) {
            g.getChildren().forEach(c -> collect(c, out));
        } else if (e instanceof Pattern p && p.getObjectType() instanceof ClassObjectType t
                && t.getClassType() == ProcessEvent.class) {
            for (Constraint c : p.getConstraints()) {
                String text = c instanceof MVELConstraint m ? m.getExpression()
                        : c instanceof LambdaConstraint l && l.getPredicateInformation() != null
                        ? l.getPredicateInformation().getStringConstraint() : null;
                Matcher m = LC.matcher(text == null ? "" : text);
                if (m.find()) {
                    out.add(m.group(1));
                    return;
                }
            }
        }
    }
}
