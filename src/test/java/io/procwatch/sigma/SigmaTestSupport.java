package io.procwatch.sigma;

import io.procwatch.aggregate.Notable;
import io.procwatch.engine.DetectionSession;
import io.procwatch.normalize.EventNormalizer;
import io.procwatch.normalize.ProcessEvent;
import io.procwatch.normalize.RejectedRecordException;
import io.procwatch.read.InputListener;
import io.procwatch.read.InputWalker;
import io.procwatch.read.Origin;
import io.procwatch.read.RawRecord;
import io.procwatch.read.RecordSink;
import io.procwatch.read.evtx.EvtxReader;
import io.procwatch.detect.RuleSet;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Shared helpers: read process events, compile Sigma rules beside the model and aggregation DRL, run them. */
final class SigmaTestSupport {

    private SigmaTestSupport() {
    }

    static List<ProcessEvent> events(List<Path> paths) {
        EventNormalizer norm = new EventNormalizer();
        List<ProcessEvent> out = new ArrayList<>();
        new InputWalker(EvtxReader::new).walk(paths, new RecordSink() {
            @Override
            public void accept(RawRecord record) {
                try {
                    ProcessEvent e = norm.normalize(record);
                    if (e != null) {
                        out.add(e);
                    }
                } catch (RejectedRecordException e) {
                    // not a usable process event
                }
            }

            @Override
            public void reject(Origin origin, String reason) {
            }
        }, new InputListener() {
        });
        return out;
    }

    /** model.drl and aggregation.drl of rules-drl/: what every detection needs. */
    static Map<Path, String> baseDrl() throws IOException {
        Map<Path, String> m = new LinkedHashMap<>();
        for (String f : List.of("model.drl", "aggregation.drl")) {
            Path p = Path.of("rules-drl", f);
            m.put(p, Files.readString(p));
        }
        return m;
    }

    record Run(Map<String, Long> matchCounts, List<Notable> notables) {
    }

    static Run run(RuleSet rules, List<ProcessEvent> events) {
        try (DetectionSession s = new DetectionSession(rules, true, Duration.ofMinutes(5))) {
            List<Notable> notables = new ArrayList<>();
            for (ProcessEvent e : events) {
                s.insert(e);
                notables.addAll(s.fire());
            }
            notables.addAll(s.flush());
            return new Run(s.detections().matchCounts(), notables);
        }
    }
}
