package io.procwatch.bench;

import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The client side of {@code procwatch bench --serve}, run as its own JVM process: {@code clients} threads POST
 * batches of JSON-lines events to {@code /events} for {@code seconds}, while {@code slow} sockets hold
 * half-sent request headers (slowloris) and a probe GETs {@code /health} every 100 ms. Prints one line of
 * {@code key=value} figures: events/s accepted, request latency p50/p99/max, /health latency p99/max, answers by
 * status code, and this process's CPU seconds.
 */
public final class ServeLoadClient {

    private ServeLoadClient() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        Path events = Path.of(args[1]);
        int clients = Integer.parseInt(args[2]);
        int seconds = Integer.parseInt(args[3]);
        int batch = Integer.parseInt(args[4]);
        int slow = Integer.parseInt(args[5]);
        List<String> lines = Files.readAllLines(events, StandardCharsets.UTF_8);
        List<String> bodies = new ArrayList<>();
        for (int i = 0; i + batch <= lines.size(); i += batch) {
            bodies.add(String.join("\n", lines.subList(i, i + batch)) + "\n");
        }
        URI ingest = URI.create("http://127.0.0.1:" + port + "/events");
        URI health = URI.create("http://127.0.0.1:" + port + "/health");
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        List<Socket> held = new ArrayList<>();
        for (int i = 0; i < slow; i++) {
            Socket s = new Socket("127.0.0.1", port);
            s.getOutputStream().write("POST /events HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            held.add(s);
        }
        long until = System.nanoTime() + seconds * 1_000_000_000L;
        AtomicLong accepted = new AtomicLong();
        Map<Integer, AtomicLong> codes = new ConcurrentHashMap<>();
        long[][] latencies = new long[clients][];
        int[] counts = new int[clients];
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            int id = c;
            latencies[c] = new long[1 << 20];
            Thread t = new Thread(() -> {
                int next = id;
                while (System.nanoTime() < until) {
                    String body = bodies.get(next % bodies.size());
                    next += clients;
                    long t0 = System.nanoTime();
                    int code;
                    try {
                        HttpResponse<String> r = http.send(HttpRequest.newBuilder(ingest).timeout(Duration.ofSeconds(30))
                                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
                        code = r.statusCode();
                    } catch (Exception e) {
                        code = -1;
                    }
                    long us = (System.nanoTime() - t0) / 1000;
                    if (counts[id] < latencies[id].length) {
                        latencies[id][counts[id]++] = us;
                    }
                    codes.computeIfAbsent(code, k -> new AtomicLong()).incrementAndGet();
                    if (code == 200) {
                        accepted.addAndGet(batch);
                    } else if (code == 503) {
                        try {
                            Thread.sleep(5);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                }
            }, "load-" + c);
            threads.add(t);
        }
        long start = System.nanoTime();
        threads.forEach(Thread::start);
        List<Long> probes = new ArrayList<>();
        int probeFailures = 0;
        while (System.nanoTime() < until) {
            long t0 = System.nanoTime();
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(health).timeout(Duration.ofSeconds(10)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() != 200) {
                    probeFailures++;
                }
            } catch (Exception e) {
                probeFailures++;
            }
            probes.add((System.nanoTime() - t0) / 1000);
            Thread.sleep(100);
        }
        for (Thread t : threads) {
            t.join();
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        int n = 0;
        for (int c : counts) {
            n += c;
        }
        long[] all = new long[n];
        int k = 0;
        for (int c = 0; c < clients; c++) {
            System.arraycopy(latencies[c], 0, all, k, counts[c]);
            k += counts[c];
        }
        Arrays.sort(all);
        long[] hp = probes.stream().mapToLong(Long::longValue).sorted().toArray();
        for (Socket s : held) {
            s.close();
        }
        Map<Integer, Long> byCode = new TreeMap<>();
        codes.forEach((c, v) -> byCode.put(c, v.get()));
        double cpu = ManagementFactory.getPlatformMXBean(com.sun.management.OperatingSystemMXBean.class).getProcessCpuTime() / 1e9;
        System.out.printf("requests=%d events_per_s=%.0f p50_ms=%.1f p99_ms=%.1f max_ms=%.1f health_p99_ms=%.1f "
                        + "health_max_ms=%.1f health_failures=%d codes=%s client_cpu_s=%.1f elapsed_s=%.1f%n",
                n, accepted.get() / elapsed, pct(all, 0.50) / 1000.0, pct(all, 0.99) / 1000.0,
                all.length == 0 ? 0 : all[all.length - 1] / 1000.0, pct(hp, 0.99) / 1000.0,
                hp.length == 0 ? 0 : hp[hp.length - 1] / 1000.0, probeFailures, byCode, cpu, elapsed);
    }

    private static long pct(long[] sorted, double q) {
        if (sorted.length == 0) {
            return 0;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)];
    }
}
