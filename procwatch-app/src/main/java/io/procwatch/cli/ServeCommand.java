package io.procwatch.cli;

import io.procwatch.detect.RuleSet;
import io.procwatch.engine.EngineClock;
import io.procwatch.serve.HttpLimits;
import io.procwatch.serve.ProcwatchServer;
import io.procwatch.serve.ServeConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

/** {@code procwatch serve}: the long-running service (HTTP and HEC ingest, live windows, rule reload). */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run until stopped, detecting on events sent over HTTP (JSON lines, JSON array, Windows event XML;",
                "Splunk HEC at /services/collector/event) or standard input. Windows close on the wall clock and",
                "notables go out as they close. GET /health, GET /metrics (Prometheus). SIGTERM drains and flushes."})
public final class ServeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    RuleOptions ruleOptions;

    @Option(names = "--watch", description = "With --rules and/or --sigma: compile the rules again when a DRL file of --rules or a Sigma YAML file of --sigma changes (a failing rule set is refused; the running rules stay).")
    boolean watch;

    @Option(names = "--bind", paramLabel = "ADDRESS", defaultValue = "127.0.0.1", description = "Address to listen on (default: ${DEFAULT-VALUE}, local only; 0.0.0.0 for all).")
    String bind;

    @Option(names = {"-p", "--port"}, defaultValue = "8088", description = "TCP port (default: ${DEFAULT-VALUE}; 0 picks a free port).")
    int port;

    @Option(names = "--token-file", paramLabel = "FILE", description = "Require this token (first line of FILE) as 'Authorization: Bearer <token>' or 'Splunk <token>' on ingest. Also read from env PROCWATCH_TOKEN.")
    Path tokenFile;

    @Option(names = "--max-body", paramLabel = "BYTES", defaultValue = "10485760", description = "Largest request body after gzip decoding; larger answers 413 (default: ${DEFAULT-VALUE}).")
    long maxBody;

    @Option(names = "--queue", paramLabel = "EVENTS", defaultValue = "10000", description = "Events waiting for evaluation; when full, ingest answers 503 + Retry-After (default: ${DEFAULT-VALUE}).")
    int queue;

    @Option(names = "--queue-bytes", paramLabel = "BYTES", defaultValue = "268435456", description = "Estimated bytes of events waiting for evaluation, at most; beyond, ingest answers 503 (default: ${DEFAULT-VALUE}).")
    long queueBytes;

    @Option(names = "--max-connections", paramLabel = "N", defaultValue = "512", description = "Open HTTP connections at most; a new one beyond closes the connection idle longest (default: ${DEFAULT-VALUE}).")
    int maxConnections;

    @Option(names = "--pending-body-bytes", paramLabel = "BYTES", defaultValue = "100663296", description = "Request body bytes all clients together may have in flight; beyond, ingest answers 503 (default: ${DEFAULT-VALUE}).")
    long pendingBodyBytes;

    @Option(names = "--tls-cert", paramLabel = "PEM", description = "Serve HTTPS with this certificate chain (PEM, leaf first); needs --tls-key.")
    Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "PEM", description = "The unencrypted PKCS#8 private key (PEM) of --tls-cert.")
    Path tlsKey;

    @Option(names = "--lateness", paramLabel = "DURATION", defaultValue = "10m", converter = DurationConverter.class,
            description = "How long after its end a window waits for late events (default: ${DEFAULT-VALUE}).")
    Duration lateness;

    @Option(names = {"-o", "--out"}, paramLabel = "FILE", description = "Append notables to FILE as NDJSON (flushed per notable, never truncated).")
    Path out;

    @Option(names = "--stdout", description = "Write notables to standard output as NDJSON.")
    boolean stdout;

    @Option(names = "--risk-out", paramLabel = "FILE",
            description = "Append risk events to FILE as NDJSON (flushed per risk event, never truncated).")
    Path riskOut;

    @Option(names = "--webhook", paramLabel = "URL", description = "POST each notable as JSON to URL, retrying failures.")
    URI webhook;

    @Option(names = "--webhook-retries", defaultValue = "5", description = "Retries of a failed webhook delivery (default: ${DEFAULT-VALUE}).")
    int webhookRetries;

    @Option(names = "--stdin", description = "Also read events from standard input (e.g. tail -f events.json | procwatch serve --stdin); the service stops at end of input.")
    boolean stdin;

    @Option(names = "--event-time", description = "Close windows on event time instead of the wall clock (replaying old logs through the service).")
    boolean eventTime;

    @Option(names = "--state-dir", paramLabel = "DIR", description = "Keep detection state and a journal of acknowledged events in DIR: an event answered 2xx survives kill -9 and restart with the same DIR (see docs/serve.md).")
    Path stateDir;

    @Option(names = "--fsync", paramLabel = "POLICY", defaultValue = "always", description = "With --state-dir: 'always' forces each acknowledged batch to the device before the answer (survives power loss); 'never' writes it to the file only (survives a killed process, not a power loss). Default: ${DEFAULT-VALUE}.")
    String fsync;

    @Option(names = "--snapshot-interval", paramLabel = "DURATION", defaultValue = "30s", converter = DurationConverter.class,
            description = "With --state-dir: how often the detection state is snapshotted and the journal trimmed (default: ${DEFAULT-VALUE}).")
    Duration snapshotInterval;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        // A service logs what it does (start, reloads, shutdown) even where the CLI default level is quieter.
        if (System.getProperty("org.slf4j.simpleLogger.log.io.procwatch") == null) {
            System.setProperty("org.slf4j.simpleLogger.log.io.procwatch", "info");
        }
        if (watch && ruleOptions.rulesDir == null && (ruleOptions.sigmaDirs == null || ruleOptions.sigmaDirs.isEmpty())) {
            err.println("procwatch serve: --watch needs --rules DIR and/or --sigma DIR");
            return ExitCodes.USAGE;
        }
        if (out == null && !stdout && webhook == null) {
            err.println("procwatch serve: no output; give --out FILE, --stdout and/or --webhook URL");
            return ExitCodes.USAGE;
        }
        String token = System.getenv("PROCWATCH_TOKEN");
        if (tokenFile != null) {
            try {
                token = Files.readAllLines(tokenFile, StandardCharsets.UTF_8).stream().findFirst().orElse("").strip();
            } catch (IOException e) {
                err.println("procwatch serve: cannot read token file: " + e.getMessage());
                return ExitCodes.USAGE;
            }
        }
        if (token != null && token.isBlank()) {
            token = null;
        }
        if ((tlsCert == null) != (tlsKey == null)) {
            err.println("procwatch serve: --tls-cert and --tls-key go together");
            return ExitCodes.USAGE;
        }
        io.procwatch.serve.DurabilityConfig durability = null;
        if (stateDir != null) {
            io.procwatch.durable.StateStore.Fsync policy = switch (fsync) {
                case "always" -> io.procwatch.durable.StateStore.Fsync.ALWAYS;
                case "never" -> io.procwatch.durable.StateStore.Fsync.NEVER;
                default -> null;
            };
            if (policy == null) {
                err.println("procwatch serve: --fsync must be 'always' or 'never', not '" + fsync + "'");
                return ExitCodes.USAGE;
            }
            durability = new io.procwatch.serve.DurabilityConfig(stateDir, policy, snapshotInterval);
        }
        RuleSet rules = ruleOptions.load(err);
        if (rules == null) {
            return ExitCodes.RULES;
        }
        ServeConfig cfg = ServeConfig.defaults().withBind(bind).withPort(port).withToken(token)
                .withLimits(maxBody, queue).withClock(eventTime ? EngineClock.eventTime() : EngineClock.wall(), lateness)
                .withOutputs(out, stdout, webhook).withWebhookRetries(webhookRetries, Duration.ofSeconds(1))
                .withQueueBytes(queueBytes).withTls(tlsCert, tlsKey)
                .withHttp(HttpLimits.defaults().withConnections(maxConnections).withPendingBodyBytes(pendingBodyBytes));
        ProcwatchServer server;
        try {
            // Each risk event written whole before the listener returns; with --state-dir its id is recorded once
            // it is in the file (docs/serve.md).
            io.procwatch.serve.RiskOutFile riskFile = riskOut == null ? null
                    : new io.procwatch.serve.RiskOutFile(riskOut, m -> {
                        err.println("procwatch serve: " + m);
                        err.flush();
                    });
            server = ProcwatchServer.start(cfg, rules, System.out, durability, riskFile);
        } catch (IOException e) {
            err.println("procwatch serve: cannot start: " + e.getMessage());
            return ExitCodes.USAGE;
        }
        Thread hook = server.shutdownHook();
        Runtime.getRuntime().addShutdownHook(hook);
        if (watch) {
            java.util.Map<java.nio.file.Path, java.util.List<String>> roots = new java.util.LinkedHashMap<>();
            if (ruleOptions.rulesDir != null) {
                roots.put(ruleOptions.rulesDir, java.util.List.of(".drl", ".csv"));
            }
            if (ruleOptions.sigmaDirs != null) {
                ruleOptions.sigmaDirs.forEach(d -> roots.put(d, java.util.List.of(".yml", ".yaml")));
            }
            server.watchRules(roots, ruleOptions.loader(err), Duration.ofMillis(300));
        }
        err.println("procwatch serve: listening on " + (tlsCert != null ? "https" : "http") + "://" + bind + ":" + server.port() + " (POST /events, /services/collector/event; GET /health, /metrics)");
        err.flush();
        if (stdin) {
            if (stateDir != null) {
                err.println("procwatch serve: standard input is not journaled in " + stateDir + " (a pipe acknowledges"
                        + " nothing); its effect on the state survives up to the last snapshot (see docs/serve.md)");
            }
            try {
                long n = server.feed(System.in, "stdin", p -> {
                    err.println(p);
                    err.flush();
                });
                err.println("procwatch serve: end of standard input (" + n + " process events); stopping");
            } catch (IllegalStateException closed) {
                err.println("procwatch serve: the engine stopped while reading standard input");
            }
            server.stop();
        }
        server.awaitStop();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is the one stopping us
        }
        if (server.failed()) {
            err.println("procwatch serve: stopped because the detection session failed beyond recovery; exit "
                    + ExitCodes.INTERNAL + " so that a supervisor restarts it");
            return ExitCodes.INTERNAL;
        }
        return ExitCodes.OK;
    }
}
