package io.procwatch.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.procwatch.detect.RuleSet;
import io.procwatch.engine.ScanOptions;
import io.procwatch.engine.ScanPipeline;
import io.procwatch.engine.ScanStats;
import io.procwatch.read.evtx.EvtxReader;
import io.procwatch.write.NotableWriter;
import io.procwatch.write.OutputFormat;
import io.procwatch.write.RiskEventWriter;
import io.procwatch.write.ScanSummary;
import io.procwatch.read.PrintableText;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;

/** {@code procwatch scan}: a batch run over event files. */
@Command(name = "scan", mixinStandardHelpOptions = true,
        description = {"Scan event files and write notables.",
                "Inputs: Sysmon/Security EVTX, Windows event XML (Splunk XmlWinEventLog), JSON lines, Winlogbeat "
                        + "and evtx_dump JSON; directories (recursive), .gz, .zip and .tar.gz. The format is "
                        + "decided from each file's content."})
final class ScanCommand implements Callable<Integer> {

    /** Rejections printed to stderr one by one before the rest are only counted. */
    static final int PRINTED_PROBLEMS = 50;

    @Spec
    CommandSpec spec;

    @Mixin
    RuleOptions rules;

    @Option(names = {"-o", "--out"}, paramLabel = "FILE", description = "Write notables to FILE (default: stdout).")
    Path out;

    @Option(names = "--risk-out", paramLabel = "FILE",
            description = "Write risk events to FILE as NDJSON (one per risk object of each detection result).")
    Path riskOut;

    @Option(names = "--stats", paramLabel = "FILE", description = "Also write the run summary to FILE as JSON.")
    Path statsFile;

    @Option(names = {"-f", "--format"}, paramLabel = "FORMAT", defaultValue = "ndjson",
            converter = FormatConverter.class,
            description = "Notable format: ndjson, csv or table (default: ${DEFAULT-VALUE}).")
    OutputFormat format;

    @Option(names = "--lateness", paramLabel = "DURATION", defaultValue = "10m", converter = DurationConverter.class,
            description = "How far behind the newest event an event may arrive and still land in its window "
                    + "(default: ${DEFAULT-VALUE}). Later events are counted as late and still detected.")
    Duration lateness;

    @Option(names = "--out-wait", paramLabel = "DURATION", defaultValue = "5m", converter = DurationConverter.class,
            description = "When -o cannot be written (a full disk), notables are kept (up to 64 MiB) and retried every "
                    + "second; at the end of the scan, wait this long for the rest (default: ${DEFAULT-VALUE}).")
    Duration outWait;

    @Option(names = "--readers", paramLabel = "N",
            description = "Read up to N input files at once (default: one per core). The output is the same for any N.")
    Integer readers;

    @Option(names = "--no-progress", description = "Never show the progress bar.")
    boolean noProgress;

    @Option(names = {"-q", "--quiet"}, description = "Print neither the summary nor each rejected record.")
    boolean quiet;

    @Parameters(paramLabel = "PATH", arity = "1..*", description = "Event files or directories; - reads standard input.")
    List<Path> inputs;

    @Mixin
    AnalystOptions analyst;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        String unusable = OutputPaths.problem(out, "-o/--out", statsFile, "--stats", analyst.timeline, "--timeline",
                analyst.html, "--html");
        if (unusable != null) {
            err.println("procwatch: " + unusable);
            return ExitCodes.USAGE;
        }
        // Usage errors in the selection options before the (slow) rule compilation.
        io.procwatch.detect.RuleSelection selection = analyst.selection();
        io.procwatch.engine.EventTimeRange timeRange = analyst.timeRange();
        RuleSet ruleSet = rules.load(err);
        if (ruleSet == null) {
            return ExitCodes.RULES;
        }
        ruleSet = ruleSet.select(selection);
        ScanPipeline pipeline = new ScanPipeline(ruleSet, ScanOptions.defaults().withLateness(lateness), EvtxReader::new)
                .timeRange(timeRange);
        if (readers != null) {
            if (readers < 1) {
                err.println("procwatch: --readers must be at least 1");
                return ExitCodes.USAGE;
            }
            pipeline.readerThreads(readers);
        }
        AtomicLong printed = new AtomicLong();
        ScanStats stats;
        AnalystOutputs extra = analyst.outputs(ruleSet);
        pipeline.onMatch(extra);
        RetryingOutWriter outFile = out != null ? new RetryingOutWriter(prepare(out), outWait, err) : null;
        try (Writer sink = outFile != null ? outFile : openStdout();
             NotableWriter writer = extra.observe(wholeRecords(outFile,
                     format.open(sink, ruleSet.catalog().detections(), analyst.display())));
             RiskEventWriter riskWriter = RiskEventWriter.open(riskOut, false);
             ProgressDisplay progress = ProgressDisplay.open(inputs, !noProgress && !quiet)) {
            stats = pipeline.run(inputs, writer, riskWriter, progress, problem -> {
                if (!quiet) {
                    long n = printed.incrementAndGet();
                    if (n <= PRINTED_PROBLEMS) {
                        err.println(PrintableText.clean(problem));
                    } else if (n == PRINTED_PROBLEMS + 1) {
                        err.println("procwatch: more problems are counted but not printed; see the summary or --stats");
                    }
                    err.flush();
                }
            });
        }
        extra.finish(stats);
        if (!quiet) {
            err.print(PrintableText.cleanKeepLines(ScanSummary.text(stats, ruleSet.catalog().detections(),
                    extra.digest(), rules.verbose, analyst.display())));
            if (outFile != null && outFile.summary() != null) {
                err.println(outFile.summary());
            }
            SigmaRegexReport.lines(ruleSet).forEach(err::println);
            err.flush();
        }
        if (statsFile != null) {
            java.util.Map<String, Object> json = ScanSummary.json(stats);
            if (outFile != null) {
                json.put("output", outFile.stats());
            }
            if (SigmaRegexReport.json(ruleSet) != null) {
                json.put("sigma_regex", SigmaRegexReport.json(ruleSet));
            }
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(statsFile.toFile(), json);
        }
        if (outFile != null && outFile.lost() > 0) {
            return ExitCodes.OUTPUT;
        }
        return stats.failedInputCount() > 0 ? ExitCodes.INPUT : ExitCodes.OK;
    }

    /** Standard output, not closed: it stays open for the JVM; the writer flushes it. */
    private static Writer openStdout() {
        return new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8)) {
            @Override
            public void close() throws IOException {
                flush();
            }
        };
    }

    private static Path prepare(Path file) throws IOException {
        if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
        return file;
    }

    private static NotableWriter wholeRecords(RetryingOutWriter file, NotableWriter writer) {
        return file == null ? writer : file.recordAtATime(writer);
    }

    /** Case-insensitive format names. */
    static final class FormatConverter implements picocli.CommandLine.ITypeConverter<OutputFormat> {
        @Override
        public OutputFormat convert(String value) {
            try {
                return OutputFormat.valueOf(value.trim().toUpperCase());
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.TypeConversionException("'" + value + "' is not one of ndjson, csv, table");
            }
        }
    }
}
