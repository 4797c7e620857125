package io.procwatch.read.evtx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.procwatch.read.RawRecord;
import java.io.BufferedInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * SigmaHQ stores, beside each regression {@code .evtx}, the same events as evtx_dump JSON: a second, independent
 * oracle. Every field the JSON has must equal the reader's field of the same name (see {@link EventComparison}).
 */
class EvtxDumpJsonOracleTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Where the JSON twin disagrees with its own .evtx: the EVTX bytes (and evtxexport) say otherwise, so the JSON
     * was not produced from that file. Listed as "file stem record N: the exact problem text".
     */
    private static final List<String> JSON_ERRATA = List.of(
            // UTF-16 bytes in the .evtx read "C:\Windows\Explorer.EXE"; the JSON lower-cases the extension.
            "ad691d92-15f2-4181-9aa4-723c74f9ddc3 record 1: ParentCommandLine: oracle [C:\\Windows\\Explorer.exe]"
                    + " reader [C:\\Windows\\Explorer.EXE]");

    @Test
    void sigmaRegressionEvtxFilesEqualTheirJsonTwins() throws Exception {
        List<Path> pairs = SharedDatasets.evtxFiles().stream()
                .filter(p -> p.toString().contains("sigma-regression"))
                .filter(p -> Files.exists(twin(p)))
                .toList();
        List<String> problems = new ArrayList<>();
        int events = 0;
        for (Path evtx : pairs) {
            List<Map<String, String>> expected = readJson(twin(evtx));
            CollectingSink sink;
            try (InputStream in = new BufferedInputStream(Files.newInputStream(evtx))) {
                sink = new CollectingSink();
                new EvtxReader().read(in, evtx.toString(), sink);
            }
            problems.addAll(sink.rejected);
            if (expected.size() != sink.accepted.size()) {
                problems.add(evtx + ": JSON has " + expected.size() + " events, reader " + sink.accepted.size());
                continue;
            }
            for (int i = 0; i < expected.size(); i++) {
                RawRecord record = sink.accepted.get(i);
                String stem = evtx.getFileName().toString().replace(".evtx", "");
                String where = stem + " record " + (i + 1) + ": ";
                EventComparison.compareFields(expected.get(i), record.fields(), true).stream()
                        .map(p -> where + p)
                        .filter(p -> !JSON_ERRATA.contains(p))
                        .forEach(problems::add);
                events++;
            }
        }
        assertTrue(problems.isEmpty(), problems.size() + " differences, first ones:\n"
                + String.join("\n", problems.subList(0, Math.min(25, problems.size()))));
        assertEquals(202, pairs.size(), "regression .evtx files with a .json twin");
        assertEquals(238, events, "events compared");
    }

    private static Path twin(Path evtx) {
        String name = evtx.getFileName().toString();
        return evtx.resolveSibling(name.substring(0, name.length() - ".evtx".length()) + ".json");
    }

    /** evtx_dump's shape flattened to RawRecord field names. */
    private static List<Map<String, String>> readJson(Path file) throws Exception {
        List<Map<String, String>> out = new ArrayList<>();
        try (MappingIterator<JsonNode> it = JSON.readerFor(JsonNode.class).readValues(file.toFile())) {
            while (it.hasNext()) {
                JsonNode event = it.next().path("Event");
                Map<String, String> fields = new LinkedHashMap<>();
                system(event.path("System"), fields);
                eventData(event.path("EventData"), fields);
                leaves(event.path("UserData"), fields);
                out.add(fields);
            }
        }
        return out;
    }

    private static void system(JsonNode system, Map<String, String> fields) {
        for (Iterator<Map.Entry<String, JsonNode>> it = system.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode v = e.getValue();
            JsonNode attributes = v.path("#attributes");
            switch (e.getKey()) {
                case "Provider" -> putText(fields, "Provider", attributes.get("Name"));
                case "TimeCreated" -> putText(fields, "SystemTime", attributes.get("SystemTime"));
                case "Security" -> putText(fields, "UserID", attributes.get("UserID"));
                case "Execution" -> {
                    putText(fields, "ExecutionProcessID", attributes.get("ProcessID"));
                    putText(fields, "ExecutionThreadID", attributes.get("ThreadID"));
                }
                default -> {
                    if (v.isObject()) {
                        putText(fields, e.getKey(), v.get("#text"));
                    } else if (!v.isNull()) {
                        putText(fields, e.getKey(), v);
                    }
                }
            }
        }
    }

    private static void eventData(JsonNode data, Map<String, String> fields) {
        int unnamed = 0;
        for (Iterator<Map.Entry<String, JsonNode>> it = data.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode v = e.getValue();
            if (e.getKey().equals("#attributes")) {
                continue;
            }
            if (e.getKey().equals("Data")) { // unnamed Data elements
                JsonNode text = v.isObject() ? v.path("#text") : v;
                for (JsonNode item : text.isArray() ? text : List.of(text)) {
                    fields.put("Data_" + (++unnamed), item.isNull() ? "" : item.asText());
                }
            } else {
                fields.put(e.getKey(), v.isNull() ? "" : v.asText());
            }
        }
    }

    private static void leaves(JsonNode node, Map<String, String> fields) {
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equals("#attributes")) {
                continue;
            }
            if (e.getValue().isObject()) {
                leaves(e.getValue(), fields);
            } else {
                fields.putIfAbsent(e.getKey(), e.getValue().isNull() ? "" : e.getValue().asText());
            }
        }
    }

    private static void putText(Map<String, String> fields, String key, JsonNode value) {
        if (value != null && !value.isNull() && !value.isMissingNode()) {
            fields.put(key, value.asText());
        }
    }
}
