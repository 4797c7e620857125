package io.procwatch.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.procwatch.StreamEvents;
import io.procwatch.TestRules;
import io.procwatch.aggregate.Notable;
import io.procwatch.engine.ScanOptions;
import io.procwatch.engine.ScanPipeline;
import io.procwatch.read.InputListener;
import io.procwatch.read.evtx.EvtxReader;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code stream --rekey} end to end through the real broker: events with no key, spread round-robin over 2
 * partitions (so every host is on both), re-keyed by host through the internal topic, give the notables {@code scan}
 * gives for the same events, on the notables topic, the webhook and {@code --out}; and {@code --risk-topic} holds
 * scan's risk events ({@code --risk-out}), committed with the notables.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class KafkaRekeyTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void unkeyedEventsReKeyedByHostGiveScansNotablesAndRiskEvents(@TempDir Path dir) throws Exception {
        String bootstrap = KafkaTestBroker.bootstrapServers();
        String run = UUID.randomUUID().toString().substring(0, 8);
        String events = "unkeyed-" + run;
        String notables = "notables-" + run;
        String risk = "risk-" + run;
        String group = "rekey-" + run;
        List<String> lines = StreamEvents.lines(1200, 8, 7, 8);
        Path all = StreamEvents.write(dir.resolve("all.json"), lines, 0, lines.size());

        List<Notable> scanned = new ArrayList<>();
        List<String> scannedRisk = new ArrayList<>();
        new ScanPipeline(TestRules.rulesDrl(), ScanOptions.defaults(), EvtxReader::new).run(List.of(all), scanned::add,
                r -> scannedRisk.add(json(r.fields())), new InputListener() {
                }, p -> {
                });
        Set<String> expected = new TreeSet<>();
        for (Notable n : scanned) {
            expected.add(StreamEvents.comparable(json(n.fields())));
        }
        assertTrue(expected.size() > 10, "the events should give many notables, got " + expected.size());
        assertFalse(scannedRisk.isEmpty(), "the events should give risk events");

        List<String> hooked = Collections.synchronizedList(new ArrayList<>());
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/notables", ex -> {
            hooked.add(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            ex.sendResponseHeaders(204, -1);
            ex.close();
        });
        receiver.start();
        Path out = dir.resolve("out.ndjson");
        try (Admin admin = KafkaStreamFailoverTest.admin(bootstrap)) {
            admin.createTopics(List.of(new NewTopic(events, Optional.of(2), Optional.empty()))).all().get(30, TimeUnit.SECONDS);
            produceRoundRobin(bootstrap, events, lines);

            // The partitions are re-keyed side by side: a host's events arrive out of order by up to the stream's
            // span, so the lateness covers it and the idle close ends the windows.
            StreamMember m = StreamMember.start(dir.resolve("member.log"), "--rules", "rules-drl",
                    "--bootstrap-servers", bootstrap, "--topic", events, "--group", group, "--notables-topic", notables,
                    "--rekey", "--risk-topic", risk, "--checkpoint-interval", "300ms", "--idle-close", "3s",
                    "--lateness", "24h", "--webhook", "http://127.0.0.1:" + receiver.getAddress().getPort() + "/notables",
                    "--out", out.toString());
            try {
                // The windows close after --idle-close; then the member stops (SIGTERM: a last commit) and the
                // topics hold all they ever will, a record written twice included.
                CommittedTopic.awaitCount(bootstrap, notables, expected.size(), Duration.ofSeconds(120));
                m.close();
                List<String> got = CommittedTopic.values(bootstrap, notables, Duration.ofSeconds(30)).stream()
                        .map(StreamEvents::comparable).toList();
                assertEquals(got.size(), new HashSet<>(got).size(), "no notable twice on the notables topic");
                assertEquals(expected, new TreeSet<>(got), "the notables topic equals scan's notables");

                List<String> riskGot = CommittedTopic.values(bootstrap, risk, Duration.ofSeconds(30));
                assertEquals(scannedRisk.size(), riskGot.size(), "as many risk events as scan's --risk-out");
                assertEquals(new TreeSet<>(scannedRisk), new TreeSet<>(riskGot), "the risk topic equals scan's risk events");

                KafkaStreamFailoverTest.waitFor("the webhook to receive every notable", () -> hooked.size() >= expected.size(), 30);
                assertEquals(expected, comparable(hooked), "the webhook received scan's notables");
                assertEquals(expected, comparable(Files.readAllLines(out, StandardCharsets.UTF_8)), "--out holds scan's notables");

                assertKeyedByHost(bootstrap, group + "-rekeyed", lines.size());
                assertTrue(m.log().contains("re-keying"), m.log());
            } catch (AssertionError | RuntimeException e) {
                System.err.println("---- member log:\n" + m.log());
                throw e;
            } finally {
                m.close();
                receiver.stop(0);
            }
        }
    }

    /** Line i to partition i % 2, without a key: every host's events are on both partitions. */
    private static void produceRoundRobin(String bootstrap, String topic, List<String> lines) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < lines.size(); i++) {
                producer.send(new ProducerRecord<>(topic, i % 2, null, lines.get(i)));
            }
            producer.flush();
        }
    }

    /** Every record of the internal topic has its host as key, and each host is on one partition only. */
    private static void assertKeyedByHost(String bootstrap, String topic, int count) throws Exception {
        Map<String, Set<Integer>> partitionsOfHost = new HashMap<>();
        List<ConsumerRecord<String, String>> records = CommittedTopic.readAll(bootstrap, topic, Duration.ofSeconds(30));
        for (ConsumerRecord<String, String> r : records) {
            JsonNode v = JSON.readTree(r.value());
            assertNotNull(r.key(), "re-keyed record without a key: " + r.value());
            assertEquals(v.get("Computer").asText(), r.key(), "the key is the event's host");
            partitionsOfHost.computeIfAbsent(r.key(), k -> new HashSet<>()).add(r.partition());
        }
        assertEquals(count, records.size(), "every event is in the re-keyed topic once");
        partitionsOfHost.forEach((host, parts) -> assertEquals(1, parts.size(), host + " is on partitions " + parts));
        assertTrue(partitionsOfHost.size() >= 2);
    }

    private static Set<String> comparable(List<String> notableLines) {
        Set<String> s = new TreeSet<>();
        List<String> all = new ArrayList<>();
        for (String l : notableLines) {
            if (!l.isBlank()) {
                all.add(StreamEvents.comparable(l));
            }
        }
        s.addAll(all);
        assertEquals(all.size(), s.size(), "no notable twice");
        return s;
    }

    private static String json(Object o) {
        try {
            return JSON.writeValueAsString(o);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
