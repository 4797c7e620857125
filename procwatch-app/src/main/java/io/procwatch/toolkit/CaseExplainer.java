package io.procwatch.toolkit;

import io.procwatch.detect.RuleSet;
import io.procwatch.normalize.EventNormalizer;
import io.procwatch.normalize.ProcessEvent;
import io.procwatch.normalize.RejectedRecordException;
import io.procwatch.read.InputListener;
import io.procwatch.read.InputWalker;
import io.procwatch.read.Origin;
import io.procwatch.read.RawRecord;
import io.procwatch.read.RecordSink;
import io.procwatch.read.evtx.EvtxReader;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Why a test case's matches or suppressions differ from the spec: the case's events are explained one by one
 * ({@link MatchExplainer}, as {@code procwatch explain} does) and the ones on the wrong side are named with the
 * condition that was false or the filter rule that suppressed them.
 */
final class CaseExplainer {

    /** Events explained at most (each explanation compiles a small KieBase). */
    static final int MAX_EVENTS = 40;
    /** Lines of explanation per difference. */
    static final int MAX_LINES = 3;

    private CaseExplainer() {
    }

    /**
     * @param expectedSuppressed null when the spec does not say
     * @return lines to add under the case's differences (none when nothing can be said)
     */
    static List<String> explain(RuleSet rules, Map<Path, String> drlFiles, String detectionId, List<Path> inputs,
                                long expectedMatches, long matches, Long expectedSuppressed, long suppressed) {
        boolean tooFew = matches < expectedMatches;
        boolean tooMany = matches > expectedMatches;
        boolean suppressedTooMany = expectedSuppressed != null && suppressed > expectedSuppressed;
        boolean suppressedTooFew = expectedSuppressed != null && suppressed < expectedSuppressed;
        List<String> out = new ArrayList<>();
        if (!tooFew && !tooMany && !suppressedTooMany && !suppressedTooFew) {
            return out;
        }
        for (ProcessEvent e : events(inputs)) {
            if (out.size() >= MAX_LINES) {
                break;
            }
            MatchExplainer.Explanation x;
            try {
                x = MatchExplainer.explain(rules, drlFiles, detectionId, e);
            } catch (RuntimeException ex) {
                return List.of("(not explained: " + ex.getMessage() + ")");
            }
            Origin at = e.getOrigin();
            if (tooFew && !x.fired()) {
                out.add("why: " + at + " " + x.verdict());
            } else if (tooMany && x.fired()) {
                out.add("why: " + at + " " + x.verdict() + " (every condition held)");
            } else if (suppressedTooMany && x.suppressedBy() != null) {
                out.add("why: " + at + " " + x.verdict());
            } else if (suppressedTooFew && x.fired() && x.suppressedBy() == null) {
                StringBuilder sb = new StringBuilder("why: " + at + " fired and no filter rule suppressed it");
                for (MatchExplainer.FilterResult f : x.filters()) {
                    List<String> failed = f.conditions().stream().filter(c -> !Boolean.TRUE.equals(c.held()))
                            .map(MatchExplainer.Condition::expression).toList();
                    sb.append("; filter '").append(f.ruleName()).append("': ")
                            .append(failed.isEmpty() ? "every condition held" : "false: " + String.join(" ; ", failed));
                }
                if (x.filters().isEmpty()) {
                    sb.append(" (no filter rule selects this detection)");
                }
                out.add(sb.toString());
            }
        }
        return out;
    }

    /** The first {@link #MAX_EVENTS} process events of the inputs. */
    private static List<ProcessEvent> events(List<Path> inputs) {
        List<ProcessEvent> events = new ArrayList<>();
        EventNormalizer normalizer = new EventNormalizer();
        new InputWalker(EvtxReader::new).walk(inputs, new RecordSink() {
            @Override
            public void accept(RawRecord record) {
                if (events.size() >= MAX_EVENTS) {
                    return;
                }
                try {
                    ProcessEvent e = normalizer.normalize(record);
                    if (e != null) {
                        events.add(e);
                    }
                } catch (RejectedRecordException ex) {
                    // the case's own differences report rejected records
                }
            }

            @Override
            public void reject(Origin origin, String reason) {
            }
        }, new InputListener() {
        });
        return events;
    }
}
