package io.procwatch.read.evtx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.procwatch.read.Origin;
import java.io.BufferedInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every sample EVTX file read by {@link EvtxReader} equals libyal's evtxexport: same records in the same order,
 * every element, attribute and value equal up to {@link EventComparison}'s documented rendering differences,
 * and the flattened fields equal the oracle's tree flattened the same way.
 */
class EvtxexportOracleTest {

    private static final int SHOWN = 25;

    @Test
    void everySampleFileEqualsEvtxexport() throws Exception {
        List<Path> files = SharedDatasets.evtxFiles();
        EvtxexportOracle.requireInstalled();
        EvtxexportOracle oracle = new EvtxexportOracle();
        EvtxReader reader = new EvtxReader();
        List<String> problems = new ArrayList<>();
        long records = 0;
        for (Path file : files) {
            List<EvtxElement> expected = oracle.export(file);
            List<EvtxElement> trees = new ArrayList<>();
            List<Map<String, String>> fields = new ArrayList<>();
            try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
                reader.readRecords(in, file.toString(), new EvtxRecordVisitor() {
                    @Override
                    public void record(Origin origin, EvtxRecord record) {
                        trees.add(record.toElement());
                        fields.add(record.toFields());
                    }

                    @Override
                    public void reject(Origin origin, String reason) {
                        problems.add("reject " + origin + ": " + reason);
                    }

                    @Override
                    public void warn(Origin origin, String message) {
                        problems.add("warn " + origin + ": " + message);
                    }
                });
            }
            records += trees.size();
            if (expected.size() != trees.size()) {
                problems.add(file + ": evtxexport " + expected.size() + " records, reader " + trees.size());
                continue;
            }
            for (int i = 0; i < trees.size(); i++) {
                String where = file + " record " + (i + 1) + ": ";
                EventComparison.compareTrees(expected.get(i), trees.get(i)).forEach(p -> problems.add(where + p));
                EvtxFieldFlattener flattener = new EvtxFieldFlattener();
                Map<String, String> oracleFields = flattener.begin();
                EvtxElementReplay.replay(expected.get(i), flattener);
                EventComparison.compareFields(oracleFields, fields.get(i), false).forEach(p -> problems.add(where + p));
            }
        }
        assertTrue(problems.isEmpty(), problems.size() + " differences, first ones:\n"
                + String.join("\n", problems.subList(0, Math.min(SHOWN, problems.size()))));
        assertEquals(576, files.size(), "sample EVTX files");
        assertEquals(14_556, records, "records in the sample EVTX files");
    }
}
