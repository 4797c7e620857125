package io.procwatch.cli;

import io.procwatch.detect.RuleCompileException;
import io.procwatch.detect.RuleSet;
import io.procwatch.toolkit.DetectionTestRunner;
import io.procwatch.toolkit.DetectionTestSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code procwatch test}: run the detection test specs against the rules. */
@Command(name = "test", mixinStandardHelpOptions = true,
        description = {"Run every detection test spec (DIR/tests/*.yml) against the rules of DIR and print a pass/fail "
                + "table with the differences.",
                "Exit code 0 when every case passed or was skipped, 5 when a case failed, 3 when the rules do not compile."})
final class TestCommand implements Callable<Integer> {

    /** Exit code when at least one test case failed. */
    static final int FAILED = ExitCodes.TESTS_FAILED;

    @Spec
    CommandSpec spec;

    @Option(names = "--rules", paramLabel = "DIR", defaultValue = "rules-drl",
            description = "The rules folder (default: ${DEFAULT-VALUE}); specs are read from DIR/tests.")
    Path rulesDir;

    @Option(names = "--sigma", paramLabel = "DIR",
            description = "Also convert the Sigma rules (YAML) of DIR and compile them next to the DRL rules (repeatable), "
                    + "so specs can test them; give their spec files as SPEC.")
    List<Path> sigmaDirs;

    @Option(names = "--shared", paramLabel = "DIR",
            description = "What $${shared} stands for in spec event paths (default: ../shared, or -Dprocwatch.shared).")
    Path shared;

    @Parameters(paramLabel = "SPEC", arity = "0..*", description = "Spec files to run (default: every spec in DIR/tests).")
    List<Path> specFiles;

    /** The DRL texts the rules were compiled from, to explain failures; null when they cannot be read again. */
    private java.util.Map<Path, String> drlTexts(PrintWriter err) {
        try {
            return sigmaDirs != null && !sigmaDirs.isEmpty()
                    // the conversion notices were printed when the rules were loaded
                    ? io.procwatch.sigma.SigmaRules.drlWithSigma(rulesDir, sigmaDirs,
                            new PrintWriter(java.io.Writer.nullWriter()))
                    : RuleSet.readDrlFiles(rulesDir);
        } catch (IOException | RuntimeException e) {
            err.println("procwatch: failures will not be explained: " + e.getMessage());
            return null;
        }
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        RuleSet rules;
        List<DetectionTestSpec> specs = new ArrayList<>();
        try {
            rules = RuleOptions.loader(rulesDir, sigmaDirs, err).load();
            if (specFiles == null || specFiles.isEmpty()) {
                specs.addAll(DetectionTestSpec.loadAll(rulesDir.resolve("tests")));
            } else {
                for (Path p : specFiles) {
                    specs.add(DetectionTestSpec.load(p));
                }
            }
        } catch (RuleCompileException e) {
            e.problems().forEach(err::println);
            err.println("procwatch: the rules in " + rulesDir + " do not compile; nothing tested");
            return ExitCodes.RULES;
        } catch (IOException e) {
            err.println("procwatch: " + e.getMessage());
            return ExitCodes.USAGE;
        }
        if (specs.isEmpty()) {
            err.println("procwatch: no test specs under " + rulesDir.resolve("tests"));
            return ExitCodes.USAGE;
        }
        Path sharedRoot = shared != null ? shared.toAbsolutePath().normalize() : DetectionTestRunner.defaultSharedRoot();
        List<DetectionTestRunner.CaseResult> results = new DetectionTestRunner(rules, sharedRoot)
                .explainingWith(drlTexts(err)).run(specs);
        out.print(DetectionTestRunner.table(results));
        out.flush();
        boolean failed = results.stream().anyMatch(r -> r.status() == DetectionTestRunner.Status.FAIL);
        return failed ? FAILED : ExitCodes.OK;
    }
}
