package io.procwatch.sigma;

import io.procwatch.aggregate.Notable;
import io.procwatch.engine.DetectionSession;
import io.procwatch.normalize.ProcessEvent;
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
        return io.procwatch.TestEvents.read(paths);
    }

    /** model.drl, aggregation.drl, throttle.drl and risk.drl of rules-drl/: what every detection needs (windows, throttling, the notable). */
    static Map<Path, String> baseDrl() throws IOException {
        Map<Path, String> m = new LinkedHashMap<>();
        for (String f : List.of("model.drl", "aggregation.drl", "throttle.drl", "risk.drl")) {
            Path p = Path.of("rules-drl", f);
            m.put(p, Files.readString(p));
        }
        return m;
    }

    record Compiled(ConversionReport report, Map<Path, String> drl, RuleSet rules) {
    }

    /**
     * Writes the Sigma YAML texts into a new folder under {@code dir}, converts them (every one must convert) and
     * compiles them with model.drl, aggregation.drl and {@code extraDrl} (once per JVM for equal texts:
     * {@link io.procwatch.TestRules#compile}).
     */
    static Compiled compile(Path dir, Map<Path, String> extraDrl, String... yaml) throws Exception {
        Path d = Files.createTempDirectory(dir, "rules");
        for (int i = 0; i < yaml.length; i++) {
            Files.writeString(d.resolve("r" + i + ".yml"), yaml[i]);
        }
        ConversionReport r = SigmaConverter.standard().convertAll(List.of(d));
        org.junit.jupiter.api.Assertions.assertEquals(List.of(), r.failures());
        Map<Path, String> sigma = SigmaRules.toDrl(r, Path.of("sigma"), java.util.Set.of());
        Map<Path, String> all = new LinkedHashMap<>(baseDrl());
        all.putAll(sigma);
        all.putAll(extraDrl);
        return new Compiled(r, sigma, io.procwatch.TestRules.compile(all, "test"));
    }

    record Run(Map<String, Long> matchCounts, Map<String, Long> suppressedCounts, List<Notable> notables) {
    }

    static Run run(RuleSet rules, List<ProcessEvent> events) {
        try (DetectionSession s = new DetectionSession(rules, true, Duration.ofMinutes(5))) {
            List<Notable> notables = new ArrayList<>();
            for (ProcessEvent e : events) {
                s.insert(e);
                notables.addAll(s.fire());
            }
            notables.addAll(s.flush());
            return new Run(s.detections().matchCounts(), s.detections().suppressedCounts(), notables);
        }
    }
}
