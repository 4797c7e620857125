package io.procwatch.cli;

import io.procwatch.toolkit.RuleValidator;
import io.procwatch.toolkit.ValidationIssue;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code procwatch validate}: compile the rules and check every detection's metadata. */
@Command(name = "validate", mixinStandardHelpOptions = true,
        description = {"Compile every DRL file of the rules folder and check each detection's metadata: @id (a unique "
                + "UUID), @title, @description, @riskScore 0-100 or @level, @riskObject and @groupBy fields of "
                + "ProcessEvent, @mitre ids (T#### or T####.###), @schedule/@earliest/@latest; filter rules; a test "
                + "spec per detection under tests/.",
                "Prints file:line: error|warning: … for each finding; exit code 3 on any error."})
final class ValidateCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--rules", paramLabel = "DIR", defaultValue = "rules-drl",
            description = "The rules folder (default: ${DEFAULT-VALUE}).")
    Path rulesDir;

    @Option(names = "--no-warnings", description = "Print errors only.")
    boolean noWarnings;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<ValidationIssue> issues;
        try {
            issues = RuleValidator.validate(rulesDir);
        } catch (IOException e) {
            err.println("procwatch: " + e.getMessage());
            return ExitCodes.USAGE;
        }
        long errors = issues.stream().filter(ValidationIssue::isError).count();
        long warnings = issues.size() - errors;
        for (ValidationIssue i : issues) {
            if (i.isError() || !noWarnings) {
                out.println(i);
            }
        }
        out.println(rulesDir + ": " + errors + " error" + (errors == 1 ? "" : "s") + ", " + warnings + " warning"
                + (warnings == 1 ? "" : "s"));
        out.flush();
        return errors > 0 ? ExitCodes.RULES : ExitCodes.OK;
    }
}
