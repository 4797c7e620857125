package io.procwatch.serve;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Notables still undelivered when the shutdown's drain time ends count as failed, not as nothing. */
class WebhookShutdownTest {

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void undeliveredAtShutdownCountAsFailed() throws Exception {
        // A receiver that accepts connections and never answers.
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            WebhookSender w = new WebhookSender(URI.create("http://127.0.0.1:" + silent.getLocalPort() + "/hook"), 5,
                    Duration.ofSeconds(1));
            for (int i = 0; i < 3; i++) {
                w.send("{\"n\":" + i + "}");
            }
            Thread.sleep(200);   // the first is on its way
            w.close(Duration.ofMillis(500));
            assertEquals(0, w.delivered.get());
            assertEquals(3, w.failed.get());
            assertEquals(0, w.pending());
        }
    }
}
