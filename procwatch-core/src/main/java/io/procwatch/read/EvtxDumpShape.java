package io.procwatch.read;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Iterator;
import java.util.Map;

/** The evtx_dump JSON shape: {@code {"Event":{"System":{…},"EventData":{…}|"UserData":{…}}}}. */
final class EvtxDumpShape {

    private EvtxDumpShape() {
    }

    static void flatten(JsonNode event, Map<String, String> out) {
        JsonNode sys = event.path("System");
        Iterator<Map.Entry<String, JsonNode>> it = sys.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode v = e.getValue();
            switch (e.getKey()) {
                case "Provider" -> put(out, "Provider", v.path("#attributes").path("Name"));
                case "TimeCreated" -> put(out, "SystemTime", v.path("#attributes").path("SystemTime"));
                case "Execution" -> {
                    put(out, "ExecutionProcessID", v.path("#attributes").path("ProcessID"));
                    put(out, "ExecutionThreadID", v.path("#attributes").path("ThreadID"));
                }
                case "Security" -> put(out, "UserID", v.path("#attributes").path("UserID"));
                case "Correlation" -> {
                }
                default -> put(out, e.getKey(), v.isObject() ? v.path("#text") : v);
            }
        }
        JsonNode data = event.path("EventData");
        if (data.isObject()) {
            int unnamed = 0;
            Iterator<Map.Entry<String, JsonNode>> d = data.fields();
            while (d.hasNext()) {
                Map.Entry<String, JsonNode> e = d.next();
                JsonNode v = e.getValue();
                if (e.getKey().equals("Data") && v.isObject() && v.has("#text")) {
                    JsonNode text = v.get("#text");
                    if (text.isArray()) {
                        for (JsonNode item : text) {
                            put(out, "Data_" + (++unnamed), item);
                        }
                    } else {
                        put(out, "Data_" + (++unnamed), text);
                    }
                } else if (!e.getKey().equals("#attributes")) {
                    put(out, e.getKey(), v);
                }
            }
        }
        JsonNode user = event.path("UserData");
        if (user.isObject()) {
            leaves(user, out);
        }
    }

    private static void leaves(JsonNode node, Map<String, String> out) {
        Iterator<Map.Entry<String, JsonNode>> it = node.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equals("#attributes")) {
                continue;
            }
            if (e.getValue().isObject()) {
                leaves(e.getValue(), out);
            } else {
                put(out, e.getKey(), e.getValue());
            }
        }
    }

    static void put(Map<String, String> out, String key, JsonNode v) {
        if (v == null || v.isMissingNode() || v.isNull()) {
            return;
        }
        out.put(key, v.isValueNode() ? v.asText() : v.toString());
    }
}
