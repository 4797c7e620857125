package io.procwatch.kafka;

import io.procwatch.intake.HecEnvelope;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.procwatch.engine.EventBatch;
import io.procwatch.engine.ProcwatchEngine;
import io.procwatch.normalize.EventNormalizer;
import io.procwatch.normalize.ProcessEvent;
import io.procwatch.read.InputListener;
import io.procwatch.read.InputWalker;
import io.procwatch.read.Origin;
import io.procwatch.read.RawRecord;
import io.procwatch.read.RecordSink;
import io.procwatch.read.evtx.EvtxReader;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The record value contract of {@code publish} and {@code stream}: an event read from any input (here the bundled
 * XML and JSON examples), written as the flat JSON object {@code publish} sends, is read back by {@code stream}'s
 * parser to the same process event; a Splunk HEC envelope around it gives the same event too.
 */
class PublishedValueTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void publishedValuesReadBackToTheSameEvents() throws Exception {
        List<RawRecord> records = new ArrayList<>();
        new InputWalker(EvtxReader::new).walk(List.of(Path.of("examples")), new RecordSink() {
            @Override
            public void accept(RawRecord r) {
                records.add(new RawRecord(r.origin(), new java.util.LinkedHashMap<>(r.fields())));
            }

            @Override
            public void reject(Origin origin, String reason) {
                throw new AssertionError(origin + ": " + reason);
            }
        }, new InputListener() {
        });
        assertTrue(records.size() >= 10);
        EventNormalizer normalizer = new EventNormalizer();
        int process = 0;
        try (ProcwatchEngine engine = ProcwatchEngine.builder().build()) {
            for (RawRecord r : records) {
                String value = JSON.writeValueAsString(r.fields());
                ProcessEvent direct = normalizer.normalize(new RawRecord(r.origin(), new java.util.LinkedHashMap<>(r.fields())));
                EventBatch viaValue = engine.parse(HecEnvelope.recordText(value, JSON), "events-0@" + process);
                String envelope = "{\"time\":1,\"host\":\"x\",\"sourcetype\":\"procwatch\",\"event\":" + value + "}";
                EventBatch viaHec = engine.parse(HecEnvelope.recordText(envelope, JSON), "events-0@" + process);
                assertEquals(0, viaValue.rejected(), viaValue.rejections().toString());
                if (direct == null) {
                    assertEquals(1, viaValue.other());
                    continue;
                }
                process++;
                ProcessEvent back = viaValue.events().get(0);
                assertEquals(direct.getFields(), back.getFields());
                assertEquals(direct.getTime(), back.getTime());
                assertEquals(direct.getLogSource(), back.getLogSource());
                // A HEC envelope adds what the event lacks, as Splunk indexes it: here its sourcetype.
                java.util.Map<String, String> withEnvelope = new java.util.LinkedHashMap<>(direct.getFields());
                withEnvelope.putIfAbsent("sourcetype", "procwatch");
                assertEquals(withEnvelope, viaHec.events().get(0).getFields());
            }
        }
        assertEquals(10, process, "the examples hold 10 process events");
    }

    @Test
    void winlogbeatRecordsAreNotTakenForEnvelopes() {
        String ecs = "{\"@timestamp\":\"2024-03-04T10:00:00Z\",\"event\":{\"code\":\"1\"},\"winlog\":{\"event_id\":1}}";
        assertEquals(ecs, HecEnvelope.recordText(ecs, JSON));
        String xml = "<Event><System><EventID>1</EventID></System></Event>";
        assertEquals(xml, HecEnvelope.recordText("{\"event\":\"" + xml.replace("\"", "\\\"") + "\"}", JSON));
    }
}
