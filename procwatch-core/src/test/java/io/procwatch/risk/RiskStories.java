package io.procwatch.risk;

import io.procwatch.TestEvents;
import io.procwatch.aggregate.Notable;
import io.procwatch.detect.RuleSet;
import io.procwatch.engine.DetectionSession;
import io.procwatch.normalize.ProcessEvent;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Test support: rules-drl plus a few story detections, and a run that collects notables and risk events. */
final class RiskStories {

    static final String RECON = "Story Recon whoami";
    static final String POWERSHELL = "Story Encoded PowerShell";
    static final String CREDS = "Story Credential Dump";
    static final String SCHTASK = "Story Scheduled Task";

    private RiskStories() {
    }

    static String detection(String title, String id, String needle, String mitre, int dest, int user, String extra) {
        return """
                rule "%1$s"
                    @id( "%2$s" )
                    @title( "%1$s" )
                    @description( "story detection" )
                    @riskScore( %5$d )
                    @riskObject( "dest" )
                    @riskObjects( "dest:system:%5$d, user:user:%6$d" )
                    @threatObjects( "process_name:process_name" )
                    @riskMessage( "%1$s on $dest$ by $user$" )
                    @mitre( "%4$s" )
                    @groupBy( "dest user CommandLine" )
                    %7$s
                when
                    $e : ProcessEvent( lc( "CommandLine" ) contains "%3$s" )
                then
                    insert( detections.match( kcontext, $e ) );
                end
                """.formatted(title, id, needle, mitre, dest, user, extra);
    }

    static String storyDrl(String credsExtra) {
        return """
                package io.procwatch.rules;
                import io.procwatch.normalize.ProcessEvent;
                global io.procwatch.detect.Detections detections;
                """
                + detection(RECON, "11111111-1111-4111-8111-111111111111", "whoami", "T1033", 20, 10, "")
                + detection(POWERSHELL, "22222222-2222-4222-8222-222222222222", "-encodedcommand", "T1059.001", 40, 20, "")
                + detection(CREDS, "33333333-3333-4333-8333-333333333333", "sekurlsa", "T1003.001", 60, 30, credsExtra)
                + detection(SCHTASK, "44444444-4444-4444-8444-444444444444", "schtasks /create", "T1053.005", 30, 15, "");
    }

    /**
     * rules-drl/ with the story detections; {@code replace} edits rules-drl texts (file name → from, to). Compiled
     * once per JVM for equal texts ({@link io.procwatch.TestRules#compile}).
     */
    static RuleSet rules(String credsExtra, Map<String, String[]> replace) throws Exception {
        Map<Path, String> files = new LinkedHashMap<>(RuleSet.readDrlFiles(Path.of("rules-drl")));
        replace.forEach((name, fromTo) -> files.replaceAll((p, text) ->
                p.getFileName().toString().equals(name) ? text.replace(fromTo[0], fromTo[1]) : text));
        files.put(Path.of("story.drl"), storyDrl(credsExtra));
        return io.procwatch.TestRules.compile(files, "story");
    }

    static ProcessEvent event(String time, String commandLine) {
        return TestEvents.sysmon(time, commandLine, Map.of("Image", "C:\\Windows\\System32\\" + commandLine.split(" ")[0]));
    }

    /** What a run produced. */
    record Run(List<Notable> notables, List<RiskEventRecord> risk, DetectionSession session) {
        List<Notable> incidents() {
            return notables.stream().filter(n -> n.fields().containsKey("risk_event_count")).toList();
        }

        List<Notable> detections() {
            return notables.stream().filter(n -> !n.fields().containsKey("risk_event_count")).toList();
        }
    }

    /** Feeds each event in its own step (the watermark moves between them), then flushes. */
    static Run run(RuleSet rules, List<ProcessEvent> events) throws IOException {
        List<Notable> notables = new ArrayList<>();
        List<RiskEventRecord> risk = new ArrayList<>();
        DetectionSession s = new DetectionSession(rules, true, Duration.ofMinutes(10));
        for (ProcessEvent e : events) {
            s.insert(e);
            notables.addAll(s.fire());
            risk.addAll(s.drainRiskEvents());
        }
        notables.addAll(s.flush());
        risk.addAll(s.drainRiskEvents());
        return new Run(notables, risk, s);
    }
}
