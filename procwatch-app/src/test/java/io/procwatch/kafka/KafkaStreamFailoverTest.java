package io.procwatch.kafka;

import io.procwatch.StreamEvents;
import io.procwatch.TestScan;
import io.procwatch.aggregate.Notable;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@code procwatch stream} end to end through the real broker (127.0.0.1), consumers as separate JVMs: a topic of
 * 2 partitions; the only consumer is SIGKILLed and restarted from its checkpoint; a second joins; the first is
 * SIGKILLed mid-stream and the second takes over; a third joins. The {@code read_committed} notables topic then
 * equals, as a set and without duplicates, what {@code scan} gives for the same events.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class KafkaStreamFailoverTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void killedAndJoiningMembersGiveScansNotablesExactlyOnce(@TempDir Path dir) throws Exception {
        String bootstrap = KafkaTestBroker.bootstrapServers();
        String run = UUID.randomUUID().toString().substring(0, 8);
        String events = "events-" + run;
        String notables = "notables-" + run;
        String group = "group-" + run;
        List<String> lines = StreamEvents.lines(3000, 8, 7, 15);   // ~5.8 h of events, 200 QEMU runs
        Path all = StreamEvents.write(dir.resolve("all.json"), lines, 0, lines.size());
        Path[] parts = {
                StreamEvents.write(dir.resolve("part1.json"), lines, 0, 1000),
                StreamEvents.write(dir.resolve("part2.json"), lines, 1000, 2000),
                StreamEvents.write(dir.resolve("part3.json"), lines, 2000, lines.size())};

        List<Notable> scanned = new ArrayList<>();
        TestScan.scan(List.of(all), scanned);
        Set<String> expected = new TreeSet<>();
        for (Notable n : scanned) {
            expected.add(StreamEvents.comparable(JSON.writeValueAsString(n.fields())));
        }
        assertTrue(expected.size() > 20, "the events should give many notables, got " + expected.size());

        try (Admin admin = admin(bootstrap)) {
            admin.createTopics(List.of(new NewTopic(events, Optional.of(2), Optional.empty()))).all().get(30, TimeUnit.SECONDS);
            String[] common = {"--rules", "rules-drl", "--bootstrap-servers", bootstrap, "--topic", events, "--group", group,
                    "--notables-topic", notables, "--checkpoint-interval", "300ms", "--idle-close", "10m",
                    "--session-timeout", "2s", "--transaction-timeout", "5s"};
            List<StreamMember> members = new ArrayList<>();
            try {
                // 1. The only member consumes part 1, commits, and is killed; restarted under the same id, it
                //    restores both partitions from their checkpoints.
                StreamMember a = member(members, dir, "a1", common, "a");
                publish(bootstrap, events, parts[0]);
                waitFor("member a to commit part 1", () -> committed(admin, group, events) >= 1000, 90);
                a.kill();
                StreamMember a2 = member(members, dir, "a2", common, "a");
                waitFor("restarted member a to restore from its checkpoints",
                        () -> a2.log().split("restored from checkpoint", -1).length - 1 >= 2, 90);

                // 2. A second member joins; part 2 arrives; the first member is killed mid-stream.
                StreamMember b = member(members, dir, "b", common, "b");
                waitFor("the group to rebalance to two members", () -> members(admin, group) == 2, 90);
                long before = committed(admin, group, events);
                publish(bootstrap, events, parts[1]);
                waitFor("progress on part 2", () -> committed(admin, group, events) > before, 90);
                a2.kill();

                // 3. The second member takes over a's partition; a third joins; part 3 arrives.
                StreamMember c = member(members, dir, "c", common, "c");
                publish(bootstrap, events, parts[2]);
                waitFor("every event committed", () -> committed(admin, group, events) >= lines.size(), 150);

                // Every member stops (SIGTERM: a last commit, then it leaves the group): the notables topic then
                // holds all it ever will, a notable written twice included.
                closeAll(members);
                List<String> got = CommittedTopic.values(bootstrap, notables, Duration.ofSeconds(60)).stream()
                        .map(StreamEvents::comparable).toList();
                Set<String> unique = new HashSet<>(got);
                assertEquals(got.size(), unique.size(), "no notable twice on the notables topic");
                assertEquals(expected, new TreeSet<>(got), "the notables topic equals scan's notables");
                assertTrue(b.log().contains("restored from checkpoint") || c.log().contains("restored from checkpoint"),
                        "a surviving member restored the killed member's partition:\n" + b.log() + "\n" + c.log());
                assertFalse(a2.alive());
            } catch (AssertionError | RuntimeException e) {
                for (StreamMember m : members) {
                    System.err.println("---- member log:\n" + m.log());
                }
                throw e;
            } finally {
                closeAll(members);
            }
        }
    }

    private static StreamMember member(List<StreamMember> members, Path dir, String name, String[] common,
                                       String instance) throws Exception {
        String[] args = new String[common.length + 2];
        System.arraycopy(common, 0, args, 0, common.length);
        args[common.length] = "--instance-id";
        args[common.length + 1] = instance;
        StreamMember m = StreamMember.start(dir.resolve(name + ".log"), args);
        members.add(m);
        return m;
    }

    /** SIGTERM to every member at once, then waits for each (its last commit). */
    static void closeAll(List<StreamMember> members) throws InterruptedException {
        for (StreamMember m : members) {
            m.terminate();
        }
        for (StreamMember m : members) {
            m.close();
        }
    }

    static void publish(String bootstrap, String topic, Path file) throws Exception {
        try (EventPublisher p = new EventPublisher(bootstrap, topic)) {
            EventPublisher.Result r = p.publish(List.of(file), problem -> fail(problem));
            assertEquals(0, r.rejected());
        }
    }

    static Admin admin(String bootstrap) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        return Admin.create(p);
    }

    /** The sum of the group's committed offsets on the topic. */
    static long committed(Admin admin, String group, String topic) {
        try {
            Map<TopicPartition, OffsetAndMetadata> m = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
            return m.entrySet().stream().filter(e -> e.getKey().topic().equals(topic) && e.getValue() != null)
                    .mapToLong(e -> e.getValue().offset()).sum();
        } catch (Exception e) {
            return -1;
        }
    }

    static int members(Admin admin, String group) {
        try {
            return admin.describeConsumerGroups(List.of(group)).all().get(10, TimeUnit.SECONDS).get(group).members().size();
        } catch (Exception e) {
            return -1;
        }
    }

    static void waitFor(String what, BooleanSupplier done, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out after " + seconds + " s waiting for " + what);
            }
            Thread.sleep(200);
        }
    }
}
