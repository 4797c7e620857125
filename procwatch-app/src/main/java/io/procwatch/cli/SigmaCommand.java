package io.procwatch.cli;

import io.procwatch.sigma.ConversionReport;
import io.procwatch.sigma.SigmaConverter;
import io.procwatch.sigma.SigmaRules;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

/** {@code procwatch sigma convert RULE.yml|DIR... --out DIR}: Sigma rules to DRL files. */
@Command(name = "sigma", mixinStandardHelpOptions = true,
        description = "Sigma rules on Drools.",
        subcommands = {SigmaCommand.Convert.class})
final class SigmaCommand {

    @Command(name = "convert", mixinStandardHelpOptions = true,
            description = "Convert Sigma rules (Windows process_creation) into DRL files, one per rule, plus "
                    + SigmaRules.PREFILTER_FILE + " and a conversion report (conversion-report.txt).")
    static final class Convert implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "RULE.yml|DIR", arity = "1..*", description = "Sigma rule files or folders.")
        List<Path> inputs;

        @Option(names = "--out", paramLabel = "DIR", required = true, description = "Where the DRL files go.")
        Path out;

        @Override
        public Integer call() throws Exception {
            PrintWriter err = spec.commandLine().getErr();
            for (Path p : inputs) {
                if (!Files.exists(p)) {
                    err.println("procwatch: no such file or directory: " + p);
                    return ExitCodes.USAGE;
                }
            }
            ConversionReport report = SigmaConverter.standard().convertAll(inputs);
            Files.createDirectories(out);
            if (!report.converted().isEmpty()) {
                // The converted rules plus the generated companions (prefilter, correlation state and generate).
                for (Map.Entry<Path, String> f : SigmaRules.toDrl(report, Path.of(""), Set.of()).entrySet()) {
                    Files.writeString(out.resolve(f.getKey().getFileName().toString()), f.getValue(), StandardCharsets.UTF_8);
                }
            }
            String text = report.toText();
            Files.writeString(out.resolve("conversion-report.txt"), text, StandardCharsets.UTF_8);
            PrintWriter o = spec.commandLine().getOut();
            o.print(text.lines().takeWhile(l -> !l.startsWith("  - ") && !l.startsWith("  sysmon-only")).reduce("", (a, b) -> a + b + "\n"));
            o.println("wrote " + report.converted().size() + " DRL files to " + out + " (report: conversion-report.txt)");
            o.flush();
            return ExitCodes.OK;
        }
    }
}
