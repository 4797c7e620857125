package io.procwatch.kafka;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.procwatch.read.InputListener;
import io.procwatch.read.InputWalker;
import io.procwatch.read.Origin;
import io.procwatch.read.RawRecord;
import io.procwatch.read.RecordSink;
import io.procwatch.read.evtx.EvtxReader;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * {@code procwatch publish}: replays any input {@code scan} reads (EVTX, XML, JSON shapes, directories, archives)
 * into a topic, one record per event: the value is the event's fields as the readers give them, as one flat JSON
 * object (which every reader path, and so {@code stream}, reads back to the same event), the key its host
 * ({@code Computer}, else {@code Hostname}), so a host's events share a partition and keep their order.
 * Idempotent producer, {@code acks=all}: a record acknowledged by the broker is kept once.
 */
public final class EventPublisher implements AutoCloseable {

    private final KafkaProducer<String, byte[]> producer;
    private final String topic;
    private final ObjectMapper json = new ObjectMapper();
    private final AtomicReference<Exception> sendFailure = new AtomicReference<>();

    public EventPublisher(String bootstrapServers, String topic) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "20");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(256 << 10));
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "procwatch-publish");
        this.producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
        this.topic = topic;
    }

    /**
     * Creates the topic with {@code partitions} partitions when it does not exist.
     *
     * @return its partition count
     */
    public static int createTopicIfMissing(String bootstrapServers, String topic, int partitions) throws IOException {
        return StreamTopics.ensure(bootstrapServers, topic, partitions);
    }

    /** What a publish did. */
    public record Result(long published, long rejected, long failedInputs) {
    }

    /**
     * Reads every path as {@code scan} does and sends each record; waits until the broker has acknowledged all.
     *
     * @param problems told each rejected record ({@code file:line: reason}) and each unreadable input
     * @throws IOException the broker refused records (the first failure)
     */
    public Result publish(List<Path> paths, Consumer<String> problems) throws IOException {
        AtomicLong sent = new AtomicLong();
        AtomicLong rejected = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        RecordSink sink = new RecordSink() {
            @Override
            public void accept(RawRecord r) {
                send(r);
                sent.incrementAndGet();
            }

            @Override
            public void reject(Origin origin, String reason) {
                rejected.incrementAndGet();
                problems.accept(origin + ": " + reason);
            }
        };
        InputListener listener = new InputListener() {
            @Override
            public void inputFailed(String source, String reason) {
                failed.incrementAndGet();
                problems.accept(source + ": " + reason);
            }
        };
        new InputWalker(EvtxReader::new).walk(paths, sink, listener);
        producer.flush();
        Exception e = sendFailure.get();
        if (e != null) {
            throw new IOException("the broker refused records: " + e.getMessage(), e);
        }
        return new Result(sent.get(), rejected.get(), failed.get());
    }

    /** Sends one record (asynchronously; {@link #publish} waits for all). */
    public void send(RawRecord r) {
        String host = r.get("Computer");
        if (host == null) {
            host = r.get("Hostname");
        }
        byte[] value;
        try {
            value = json.writeValueAsBytes(r.fields());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        producer.send(new ProducerRecord<>(topic, host == null ? "" : host, value), (md, ex) -> {
            if (ex != null) {
                sendFailure.compareAndSet(null, ex);
            }
        });
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(30));
    }
}
