package io.procwatch.read;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Iterator;
import java.util.Map;

/** The Winlogbeat/ECS shape: the {@code winlog} object, with {@code event_data} holding the EventData fields. */
final class WinlogbeatShape {

    private WinlogbeatShape() {
    }

    static void flatten(JsonNode winlog, Map<String, String> out) {
        EvtxDumpShape.put(out, "Channel", winlog.path("channel"));
        EvtxDumpShape.put(out, "EventID", winlog.path("event_id"));
        EvtxDumpShape.put(out, "Computer", winlog.path("computer_name"));
        EvtxDumpShape.put(out, "Provider", winlog.path("provider_name"));
        EvtxDumpShape.put(out, "EventRecordID", winlog.path("record_id"));
        EvtxDumpShape.put(out, "UserID", winlog.path("user").path("identifier"));
        Iterator<Map.Entry<String, JsonNode>> it = winlog.path("event_data").fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            EvtxDumpShape.put(out, e.getKey(), e.getValue());
        }
    }
}
