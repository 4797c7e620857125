package io.procwatch.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code java -jar procwatch.jar <command>}: the entry point. */
@Command(name = "procwatch", mixinStandardHelpOptions = true, versionProvider = ProcwatchCli.Version.class,
        description = "Drools detection engine for Windows process-creation events (Sysmon EID 1, Security 4688).",
        subcommands = {ScanCommand.class, BenchCommand.class, ServeCommand.class, StreamCommand.class, PublishCommand.class, BenchStateCommand.class, ValidateCommand.class, TestCommand.class, ExplainCommand.class, SigmaCommand.class, CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
                "0:success (rejected records, if any, are reported in the summary)",
                "1:internal error",
                "2:usage error",
                "3:rules failed to compile or have invalid metadata",
                "4:an input could not be read (the others were scanned)",
                "5:detection tests failed (procwatch test)"})
public final class ProcwatchCli {

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs a command line and returns its exit code (for tests and embedding). */
    public static int run(String... args) {
        CommandLine cl = new CommandLine(new ProcwatchCli());
        cl.setExecutionExceptionHandler((ex, cmd, parse) -> {
            cmd.getErr().println("procwatch: internal error: " + ex);
            ex.printStackTrace(cmd.getErr());
            return ExitCodes.INTERNAL;
        });
        return cl.execute(args);
    }

    /** Reads the version from the jar manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = ProcwatchCli.class.getPackage().getImplementationVersion();
            return new String[]{"procwatch " + (v != null ? v : "(development build)")};
        }
    }
}
