package io.procwatch.serve;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** HEC: the envelope's time/host/source/sourcetype as fallbacks, the raw endpoint, the health answer. */
class HecEnvelopeTest {

    static final com.fasterxml.jackson.databind.ObjectMapper JSON = ServeHttpTest.JSON;
    /** The server helpers of ServeHttpTest (start on a loopback port, post, get), not its tests. */
    final ServeHttpTest http = new ServeHttpTest();

    @org.junit.jupiter.api.BeforeAll
    static void load() throws Exception {
        ServeHttpTest.load();
    }

    @org.junit.jupiter.api.AfterEach
    void stopAll() {
        http.stopAll();
    }

    /** A 4688 whose time and host are only in the envelope (as some forwarders send it). */
    static final String EVENT_WITHOUT_TIME = "{\"EventID\":4688,\"Channel\":\"Security\",\"SubjectUserName\":\"asmith\","
            + "\"SubjectDomainName\":\"CORP\",\"NewProcessName\":\"C:\\\\q\\\\qemu-system-i386.exe\","
            + "\"CommandLine\":\"qemu-system-i386.exe -m 1M -netdev user,id=lan,restrict=off -netdev socket,id=s,"
            + "connect=198.51.100.23:443 -nographic\"}";

    @Test
    void envelopeTimeAndHostAreUsedWhenTheEventLacksThem(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("n.ndjson");
        ProcwatchServer s = http.start(ServeHttpTest.replay(out));
        String body = "{\"time\":1709554831.25,\"host\":\"WKS-HR-03\",\"source\":\"WinEventLog:Security\","
                + "\"sourcetype\":\"WinEventLog\",\"event\":" + EVENT_WITHOUT_TIME + "}"
                // as a string holding the JSON, and with its own host, which wins
                + "{\"time\":\"1709554832\",\"host\":\"ignored\",\"event\":"
                + JSON.writeValueAsString(EVENT_WITHOUT_TIME.replace("{\"EventID\"", "{\"Computer\":\"WKS-OWN\",\"EventID\"")) + "}";
        HttpResponse<String> r = http.post(s, "/services/collector/event", body, null);
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(2, JSON.readTree(r.body()).get("accepted").asInt());
        s.stop();
        List<JsonNode> n = ServeHttpTest.notables(out);
        assertEquals(2, n.size(), n.toString());
        assertEquals("WKS-HR-03", n.get(0).get("risk_object").asText());
        assertEquals("2024-03-04T12:20:31", n.get(0).get("firstTime").asText());
        assertEquals("WKS-OWN", n.get(1).get("risk_object").asText());
        assertEquals("2024-03-04T12:20:32", n.get(1).get("firstTime").asText());
    }

    @Test
    void rawEndpointTakesEventTextAndHealthAnswersAsSplunk(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("n.ndjson");
        ProcwatchServer s = http.start(ServeHttpTest.replay(out));
        HttpResponse<String> r = http.post(s, "/services/collector/raw", ServeHttpTest.xml, null);
        assertEquals(200, r.statusCode(), r.body());
        JsonNode b = JSON.readTree(r.body());
        assertEquals("Success", b.get("text").asText());
        assertEquals(0, b.get("code").asInt());
        HttpResponse<String> h = http.get(s, "/services/collector/health");
        assertEquals(200, h.statusCode());
        assertEquals("{\"text\":\"HEC is healthy\",\"code\":17}", h.body());
        s.stop();
        assertEquals(3, ServeHttpTest.notables(out).size());
        assertTrue(JSON.readTree(r.body()).get("accepted").asInt() > 0);
    }
}
