package io.riffle.sqlanalyzer;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Riffle's SQL analyzer: Flink's own parser and planner behind a loopback HTTP/JSON API (JDK HttpServer).
 *
 * <pre>
 *   GET  /health        200 {"status":"ok"} once warmed up (503 {"status":"starting"} before)
 *   POST /v1/analyze    {"statement", "limits"?: {maxTokens, maxNesting, maxDepth}}    → StatementAnalyzer
 *   POST /v1/validate   {"statement", "setup"?, "config"?, "explain"?, "execute"?, "describe"?} → StatementValidator
 * </pre>
 *
 * Bounded: at most `threads` statements are worked on at once, on worker threads with large stacks (the
 * parser's recursive descent); at most `queue` more wait, further requests are answered 503 OVERLOADED at
 * once; bodies over `maxBodyBytes` 413 REQUEST_TOO_LARGE. Failures of the analyzer itself are 500 INTERNAL,
 * never a verdict on the statement. Settings are system properties `riffle.analyzer.*` (see main).
 */
public final class SqlAnalyzerServer {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ThreadLocal<StatementValidator> VALIDATORS = ThreadLocal.withInitial(StatementValidator::new);

    private final StatementAnalyzer analyzer;
    private final ThreadPoolExecutor workers;
    private final int admissionLimit;
    private final int maxBodyBytes;
    private final AtomicInteger admitted = new AtomicInteger();
    private volatile boolean ready;

    private SqlAnalyzerServer(StatementAnalyzer analyzer, int threads, int queue, int maxBodyBytes, long stackBytes) {
        this.analyzer = analyzer;
        this.admissionLimit = threads + queue;
        this.maxBodyBytes = maxBodyBytes;
        AtomicInteger counter = new AtomicInteger();
        this.workers = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread thread = new Thread(null, r, "analyzer-" + counter.incrementAndGet(), stackBytes);
            thread.setDaemon(true);
            return thread;
        });
    }

    public static void main(String[] args) throws Exception {
        String host = System.getProperty("riffle.analyzer.host", "127.0.0.1");
        int port = Integer.getInteger("riffle.analyzer.port", 18990);
        int threads = Integer.getInteger("riffle.analyzer.threads", Math.max(1, Runtime.getRuntime().availableProcessors()));
        int queue = Integer.getInteger("riffle.analyzer.queue", 64);
        int maxBodyBytes = Integer.getInteger("riffle.analyzer.maxBodyBytes", 16 * 1024 * 1024);
        long parseTimeoutMs = Long.getLong("riffle.analyzer.parseTimeoutMs", 3_000);
        long stackBytes = Long.getLong("riffle.analyzer.stackMiB", 64) * 1024 * 1024;
        TextScan.Limits limits = new TextScan.Limits(
                Integer.getInteger("riffle.analyzer.maxTokens", 200_000),
                Integer.getInteger("riffle.analyzer.maxNesting", 64),
                Integer.getInteger("riffle.analyzer.maxDepth", 2_000));
        StatementAnalyzer analyzer = new StatementAnalyzer(limits, TimeUnit.MILLISECONDS.toNanos(parseTimeoutMs));
        SqlAnalyzerServer server = new SqlAnalyzerServer(analyzer, threads, queue, maxBodyBytes, stackBytes);
        HttpServer http = HttpServer.create(new InetSocketAddress(host, port), 256);
        http.createContext("/", server::handle);
        http.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread thread = new Thread(r, "http");
            thread.setDaemon(true);
            return thread;
        }));
        http.start();
        log("listening", host + ":" + port);
        server.warmUp(threads);
        server.ready = true;
        log("ready", "after " + ManagementFactory.getRuntimeMXBean().getUptime() + " ms");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> http.stop(0)));
        Thread.currentThread().join();
    }

    /**
     * Every worker thread builds its TableEnvironment and runs each path once before the first request:
     * the first validation on a fresh JVM takes seconds (class loading, code generation), later ones ms.
     */
    private void warmUp(int threads) throws InterruptedException, ExecutionException {
        CountDownLatch all = new CountDownLatch(threads);
        List<Future<?>> runs = new java.util.ArrayList<>();
        for (int i = 0; i < threads; i++)
            runs.add(workers.submit(() -> {
                all.countDown();
                all.await(); // one run per thread: each thread waits until every one has started
                Warmup.run(analyzer, VALIDATORS.get(), JSON);
                return null;
            }));
        for (Future<?> run : runs) run.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try {
            String path = exchange.getRequestURI().getPath();
            String method = exchange.getRequestMethod();
            if (path.equals("/health")) {
                ObjectNode body = JSON.createObjectNode().put("status", ready ? "ok" : "starting");
                send(exchange, ready ? 200 : 503, body);
                return;
            }
            boolean analyze = path.equals("/v1/analyze");
            if (!analyze && !path.equals("/v1/validate")) {
                send(exchange, 404, error("NOT_FOUND", "No such endpoint: " + path));
                return;
            }
            if (!method.equals("POST")) {
                send(exchange, 405, error("METHOD_NOT_ALLOWED", path + " takes POST"));
                return;
            }
            if (!ready) {
                send(exchange, 503, error("STARTING", "The analyzer is warming up"));
                return;
            }
            byte[] body = readLimited(exchange.getRequestBody());
            if (body == null) {
                send(exchange, 413, error("REQUEST_TOO_LARGE", "The request body is over " + maxBodyBytes + " bytes"));
                return;
            }
            JsonNode request;
            try {
                request = JSON.readTree(body);
            } catch (IOException e) {
                send(exchange, 400, error("BAD_REQUEST", "The body is not JSON"));
                return;
            }
            if (request == null || !request.path("statement").isTextual()) {
                send(exchange, 400, error("BAD_REQUEST", "The body needs \"statement\": a string"));
                return;
            }
            Callable<ObjectNode> work = analyze
                    ? () -> analyzer.analyze(request.get("statement").asText(), limits(request.path("limits")))
                    : () -> VALIDATORS.get().validate(request);
            respond(exchange, work);
        } catch (RuntimeException e) {
            log("error", e.toString());
        } finally {
            exchange.close();
        }
    }

    /** runs `work` on a worker thread, or answers 503 at once when too many already wait */
    private void respond(HttpExchange exchange, Callable<ObjectNode> work) throws IOException {
        if (admitted.incrementAndGet() > admissionLimit) {
            admitted.decrementAndGet();
            send(exchange, 503, error("OVERLOADED", "Too many statements are waiting for analysis; try again shortly"));
            return;
        }
        ObjectNode answer;
        try {
            answer = workers.submit(work).get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            log("internal", String.valueOf(cause));
            send(exchange, 500, error("INTERNAL", "The analyzer failed: " + cause));
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            send(exchange, 503, error("OVERLOADED", "Interrupted"));
            return;
        } finally {
            admitted.decrementAndGet();
        }
        send(exchange, 200, answer);
    }

    private static TextScan.Limits limits(JsonNode limits) {
        if (!limits.isObject()) return null;
        return new TextScan.Limits(
                limits.path("maxTokens").asInt(Integer.MAX_VALUE),
                limits.path("maxNesting").asInt(Integer.MAX_VALUE),
                limits.path("maxDepth").asInt(Integer.MAX_VALUE));
    }

    private byte[] readLimited(InputStream in) throws IOException {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream(8192);
        byte[] chunk = new byte[64 * 1024];
        for (int read = in.read(chunk); read >= 0; read = in.read(chunk)) {
            buffer.write(chunk, 0, read);
            if (buffer.size() > maxBodyBytes) return null;
        }
        return buffer.toByteArray();
    }

    private static ObjectNode error(String code, String message) {
        ObjectNode body = JSON.createObjectNode();
        body.putObject("error").put("code", code).put("message", message);
        return body;
    }

    private static void send(HttpExchange exchange, int status, ObjectNode body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    static void log(String event, String detail) {
        ObjectNode line = JSON.createObjectNode();
        line.put("time", java.time.Instant.now().toString());
        line.put("event", event);
        line.put("detail", detail);
        System.out.println(line);
    }
}
