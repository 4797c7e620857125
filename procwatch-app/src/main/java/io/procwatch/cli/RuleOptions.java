package io.procwatch.cli;

import io.procwatch.detect.RuleCompileException;
import io.procwatch.detect.RuleSet;
import io.procwatch.engine.ProcwatchEngine;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;

/** {@code --rules DIR}: shared by every command that runs rules. */
final class RuleOptions {

    @Option(names = "--rules", paramLabel = "DIR",
            description = "Compile the DRL files of DIR at run time (e.g. rules-drl/) instead of the bundled rules.")
    Path rulesDir;

    @Option(names = "--sigma", paramLabel = "DIR",
            description = "Also convert the Sigma rules (YAML) of DIR and compile them next to the DRL rules (repeatable).")
    java.util.List<Path> sigmaDirs;

    @Option(names = {"-v", "--verbose"}, description = "Log Drools' own INFO messages (KieBase builds); scan's summary lists every detection, not only those with matches.")
    boolean verbose;

    /** Compiles the rules these options name: what {@code serve --watch} calls again at each reload. */
    ProcwatchEngine.RuleLoader loader(PrintWriter err) {
        return loader(rulesDir, sigmaDirs, err);
    }

    /**
     * The rules of {@code rulesDir} (the bundled ones when null) with the Sigma rules of {@code sigmaDirs} (none
     * when null or empty) converted beside them; for the commands whose {@code --rules} has another default.
     */
    static ProcwatchEngine.RuleLoader loader(Path rulesDir, java.util.List<Path> sigmaDirs, PrintWriter err) {
        return () -> sigmaDirs != null && !sigmaDirs.isEmpty()
                ? io.procwatch.sigma.SigmaRules.withDrl(rulesDir, sigmaDirs, err, io.procwatch.detect.model.CompiledRuleCache.atDefaultLocation())
                : rulesDir != null ? RuleSet.fromDirectory(rulesDir, io.procwatch.detect.model.CompiledRuleCache.atDefaultLocation())
                : RuleSet.bundled();
    }

    /** Loads the rules, printing {@code file:line: message} for each problem; {@code null} when they failed. */
    RuleSet load(PrintWriter err) {
        if (verbose) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "info");
        }
        try {
            return loader(err).load();
        } catch (RuleCompileException e) {
            e.problems().forEach(p -> err.println(p));
            err.println("procwatch: " + e.problems().size() + " rule error" + (e.problems().size() == 1 ? "" : "s")
                    + " in " + (rulesDir != null ? rulesDir : "the bundled rules") + "; nothing scanned");
            return null;
        } catch (IOException e) {
            err.println("procwatch: " + e.getMessage());
            return null;
        }
    }
}
