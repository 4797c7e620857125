package io.procwatch.write;

import io.procwatch.detect.Match;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * What the summary tells about the matches the filter rules kept: per detection the hosts it hit and its first and
 * last match time; over all detections the hosts with the most matches. Fed by the session thread
 * ({@link io.procwatch.engine.ScanPipeline#onMatch}); holds one entry per detection and host, not per match.
 */
public final class DetectionDigest implements Consumer<Match> {

    /** Per detection: hosts hit and the span of its matches. */
    public static final class PerRule {
        private final Set<String> hosts = new HashSet<>();
        private long kept;
        private long first = Long.MAX_VALUE;
        private long last = Long.MIN_VALUE;

        /** Matches not suppressed. */
        public long kept() {
            return kept;
        }

        public int hostCount() {
            return hosts.size();
        }

        public long first() {
            return first;
        }

        public long last() {
            return last;
        }
    }

    /** A host and how many matches (of any detection) were on it. */
    public record Host(String name, long matches, int detections) {
    }

    private final Map<String, PerRule> perRule = new HashMap<>();
    private final Map<String, long[]> hostMatches = new HashMap<>();
    private final Map<String, Set<String>> hostRules = new HashMap<>();

    @Override
    public void accept(Match m) {
        String host = m.getEvent().get("Computer");
        if (host == null || host.isEmpty()) {
            host = "(no computer)";
        }
        PerRule r = perRule.computeIfAbsent(m.getRuleId(), k -> new PerRule());
        r.kept++;
        r.hosts.add(host);
        r.first = Math.min(r.first, m.getTime());
        r.last = Math.max(r.last, m.getTime());
        hostMatches.computeIfAbsent(host, k -> new long[1])[0]++;
        hostRules.computeIfAbsent(host, k -> new HashSet<>()).add(m.getRuleId());
    }

    /** The detection's figures, or null when it had no kept match. */
    public PerRule of(String ruleId) {
        return perRule.get(ruleId);
    }

    /** The {@code n} hosts with the most matches, most first (ties by name). */
    public List<Host> topHosts(int n) {
        List<Host> all = new ArrayList<>();
        hostMatches.forEach((h, c) -> all.add(new Host(h, c[0], hostRules.get(h).size())));
        all.sort((a, b) -> a.matches != b.matches ? Long.compare(b.matches, a.matches) : a.name.compareTo(b.name));
        return all.subList(0, Math.min(n, all.size()));
    }
}
