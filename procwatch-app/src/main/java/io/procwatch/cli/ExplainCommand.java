package io.procwatch.cli;

import io.procwatch.detect.RuleCompileException;
import io.procwatch.detect.RuleSet;
import io.procwatch.normalize.ProcessEvent;
import io.procwatch.read.evtx.EvtxReader;
import io.procwatch.toolkit.EventPicker;
import io.procwatch.toolkit.MatchExplainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code procwatch explain}: why a detection did or did not fire on one event. */
@Command(name = "explain", mixinStandardHelpOptions = true,
        description = {"Explain one detection on one event: each condition of the rule (each contains, each OR branch, "
                + "each filter term) with whether it held, whether the rule fired, and which filter suppressed the match.",
                "EVENTFILE:N picks the record that starts on line N (text formats) or the N-th record (EVTX), as "
                        + "scan's messages number them; without :N the first process-creation event of the file."})
final class ExplainCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--rules", paramLabel = "DIR", defaultValue = "rules-drl",
            description = "The rules folder (default: ${DEFAULT-VALUE}).")
    Path rulesDir;

    @Option(names = "--sigma", paramLabel = "DIR",
            description = "Also convert the Sigma rules (YAML) of DIR and compile them next to the DRL rules (repeatable),"
                    + " as scan --sigma does; a converted rule's condition is shown as the prefilter evaluates it.")
    java.util.List<Path> sigmaDirs;

    @Option(names = "--rule", paramLabel = "ID", required = true, description = "The detection's @id (or DRL rule name).")
    String ruleId;

    @Parameters(paramLabel = "EVENTFILE[:N]", arity = "1", description = "The event file, optionally with the record's line.")
    String eventRef;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Map<Path, String> files = new LinkedHashMap<>();
        RuleSet rules;
        try {
            if (sigmaDirs != null && !sigmaDirs.isEmpty()) {
                files.putAll(io.procwatch.sigma.SigmaRules.drlWithSigma(rulesDir, sigmaDirs, err));
                rules = RuleSet.compile(files, rulesDir + " + Sigma " + sigmaDirs)
                        .withLookups(io.procwatch.lookup.Lookups.fromRulesDirectory(rulesDir));
            } else {
                files.putAll(RuleSet.readDrlFiles(rulesDir));
                rules = RuleSet.compile(files, rulesDir.toString());
            }
        } catch (RuleCompileException e) {
            e.problems().forEach(err::println);
            err.println("procwatch: the rules in " + rulesDir + " do not compile; run procwatch validate");
            return ExitCodes.RULES;
        } catch (IOException e) {
            err.println("procwatch: " + e.getMessage());
            return ExitCodes.USAGE;
        }
        EventPicker.Picked picked;
        try {
            picked = EventPicker.pick(eventRef, EvtxReader::new);
        } catch (IllegalArgumentException | IOException e) {
            err.println("procwatch: " + e.getMessage());
            return ExitCodes.INPUT;
        }
        ProcessEvent event = picked.event();
        if (event == null) {
            out.println(picked.note());
            out.println("Result: DID NOT FIRE: no detection sees this record (only Sysmon EID 1 and Security 4688 are process creations)");
            out.flush();
            return ExitCodes.OK;
        }
        try {
            out.print(MatchExplainer.explain(rules, files, ruleId, event).text());
            io.procwatch.detect.DetectionRule d = rules.catalog().byId(ruleId) != null
                    ? rules.catalog().byId(ruleId) : rules.catalog().byRuleName(ruleId);
            if (d != null) {
                out.print(io.procwatch.toolkit.RiskExplainer.explain(rules, d, event));
            }
        } catch (IllegalArgumentException e) {
            err.println("procwatch: " + e.getMessage());
            return ExitCodes.USAGE;
        }
        out.flush();
        return ExitCodes.OK;
    }
}
