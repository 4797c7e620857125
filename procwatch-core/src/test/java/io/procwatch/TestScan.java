package io.procwatch;

import io.procwatch.aggregate.Notable;
import io.procwatch.engine.ScanOptions;
import io.procwatch.engine.ScanPipeline;
import io.procwatch.engine.ScanStats;
import io.procwatch.read.InputListener;
import io.procwatch.read.evtx.EvtxReader;
import io.procwatch.write.NotableWriter;

import java.nio.file.Path;
import java.util.List;

/** A batch scan with rules-drl/, as {@code procwatch scan} runs it, collecting the notables. */
public final class TestScan {

    private TestScan() {
    }

    public static ScanStats scan(List<Path> inputs, List<Notable> notables) throws Exception {
        return scan(TestRules.rulesDrl(), inputs, notables);
    }

    /** The same with other rules. */
    public static ScanStats scan(io.procwatch.detect.RuleSet rules, List<Path> inputs, List<Notable> notables)
            throws Exception {
        NotableWriter w = new NotableWriter() {
            @Override
            public void write(Notable n) {
                notables.add(n);
            }

            @Override
            public void close() {
            }
        };
        return new ScanPipeline(rules, ScanOptions.defaults(), EvtxReader::new)
                .run(inputs, w, new InputListener() {
                }, p -> {
                });
    }
}
