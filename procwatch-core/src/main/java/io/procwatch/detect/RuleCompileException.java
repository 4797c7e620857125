package io.procwatch.detect;

import java.util.List;
import java.util.stream.Collectors;

/** A rule set that did not compile, or whose detection metadata is invalid; each problem names file and line. */
public final class RuleCompileException extends Exception {

    private final List<RuleProblem> problems;

    public RuleCompileException(List<RuleProblem> problems) {
        super(problems.stream().map(RuleProblem::toString).collect(Collectors.joining("\n")));
        this.problems = List.copyOf(problems);
    }

    public List<RuleProblem> problems() {
        return problems;
    }
}
