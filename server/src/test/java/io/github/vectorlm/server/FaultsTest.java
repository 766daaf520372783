package io.github.vectorlm.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.vectorlm.generation.GenerationOptions;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Bad input and bad clients: each gets its clear error, and the server goes on serving the others. */
class FaultsTest {
    private static final long MAX_BODY = 64 * 1024;
    private static DemoServer demo;

    @BeforeAll
    static void start() throws Exception {
        demo = new DemoServer(4, o -> o.withLimits(MAX_BODY, 6, 4).withTimeouts(Duration.ofSeconds(2),
                Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ofSeconds(2)));
    }

    @AfterAll
    static void stop() {
        demo.close();
    }

    @AfterEach
    void stillServes() throws Exception {
        HttpResponse<String> ok = post("{\"model\": \"gpt2-shakespeare\", \"prompt\": \"ROMEO:\", \"max_tokens\": 3}");
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
        assertThat(JsonBody.MAPPER.readTree(ok.body()).at("/usage/completion_tokens").asInt()).isEqualTo(3);
    }

    private static HttpResponse<String> post(String body) throws Exception {
        return send(HttpRequest.BodyPublishers.ofString(body));
    }

    /**
     * Each request on a new connection. The server closes a connection idle for 2 s; a pooled one that it
     * closes just as the client reuses it fails a POST with "header parser received no bytes", which the
     * client does not retry (POST is not idempotent). That race is HTTP/1.1's, not the server's.
     */
    private static HttpResponse<String> send(HttpRequest.BodyPublisher body) throws Exception {
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build()) {
            return http.send(HttpRequest.newBuilder(URI.create(demo.baseUrl() + "/v1/completions"))
                    .header("Content-Type", "application/json").POST(body).build(),
                    HttpResponse.BodyHandlers.ofString());
        }
    }

    private static JsonNode error(HttpResponse<String> r, int status) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
        JsonNode e = JsonBody.MAPPER.readTree(r.body()).get("error");
        assertThat(e.get("message").asText()).doesNotContain("Exception").doesNotContain("\tat ");
        return e;
    }

    @Test
    void malformedJsonIsA400() throws Exception {
        assertThat(error(post("{\"model\": \"gpt2-shakespeare\", \"prompt\": "), 400).get("message").asText())
                .contains("not valid JSON");
        assertThat(error(post("[1, 2]"), 400).get("message").asText()).contains("must be a JSON object");
        assertThat(error(post(""), 400).get("message").asText()).contains("JSON object");
    }

    @Test
    void wrongTypesNameTheParameter() throws Exception {
        String[][] cases = {
            {"\"max_tokens\": \"ten\"", "max_tokens"},
            {"\"temperature\": \"hot\"", "temperature"},
            {"\"top_p\": 0", "top_p"},
            {"\"n\": 0", "n"},
            {"\"stream\": \"yes\"", "stream"},
            {"\"stop\": [1]", "stop"},
            {"\"logit_bias\": {\"x\": 1}", "logit_bias"},
            {"\"logprobs\": 99", "logprobs"},
            {"\"seed\": 1.5", "seed"},
        };
        for (String[] c : cases) {
            JsonNode e = error(post("{\"model\": \"gpt2-shakespeare\", \"prompt\": \"A\", " + c[0] + "}"), 400);
            assertThat(e.get("param").asText()).as(c[0]).isEqualTo(c[1]);
            assertThat(e.get("message").asText()).as(c[0]).contains(c[1]);
        }
        assertThat(error(post("{\"model\": \"gpt2-shakespeare\", \"prompt\": 5}"), 400).get("param").asText())
                .isEqualTo("prompt");
        assertThat(error(post("{\"model\": \"gpt2-shakespeare\", \"prompt\": [99999999]}"), 400).get("param").asText())
                .isEqualTo("prompt");
        assertThat(error(post("{\"prompt\": \"A\"}"), 400).get("param").asText()).isEqualTo("model");
    }

    @Test
    void negativeAndEnormousMaxTokens() throws Exception {
        assertThat(error(post("{\"model\": \"gpt2-shakespeare\", \"prompt\": \"A\", \"max_tokens\": -1}"), 400)
                .get("param").asText()).isEqualTo("max_tokens");
        JsonNode e = error(post("{\"model\": \"gpt2-shakespeare\", \"prompt\": \"A\", \"max_tokens\": 1000000000}"), 400);
        assertThat(e.get("code").asText()).isEqualTo("context_length_exceeded");
        assertThat(e.get("message").asText()).contains("maximum context length is " + demo.model.contextLength());
        assertThat(error(post("{\"model\": \"gpt2-shakespeare\", \"prompt\": \"A\", \"max_tokens\": 1e30}"), 400)
                .get("param").asText()).isEqualTo("max_tokens");
    }

    @Test
    void unknownFieldsAreIgnored() throws Exception {
        HttpResponse<String> r = post("{\"model\": \"gpt2-shakespeare\", \"prompt\": \"A\", \"max_tokens\": 2,"
                + " \"frobnicate\": {\"deep\": [1, 2]}, \"user\": \"me\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    @Test
    void invalidUtf8IsA400() throws Exception {
        byte[] head = "{\"model\": \"gpt2-shakespeare\", \"prompt\": \"".getBytes(StandardCharsets.UTF_8);
        byte[] body = new byte[head.length + 4];
        System.arraycopy(head, 0, body, 0, head.length);
        body[head.length] = (byte) 0xC3;
        body[head.length + 1] = (byte) 0x28; // not a continuation byte
        body[head.length + 2] = '"';
        body[head.length + 3] = '}';
        RawHttp.Response r = RawHttp.post(demo.server.port(), "/v1/completions", body);
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().at("/error/message").asText()).contains("UTF-8");
    }

    @Test
    void hugeBodiesAre413() throws Exception {
        String huge = "{\"model\": \"gpt2-shakespeare\", \"prompt\": \"" + "A".repeat((int) MAX_BODY * 4) + "\"}";
        JsonNode e = error(post(huge), 413);
        assertThat(e.get("message").asText()).contains(Long.toString(MAX_BODY));
        // chunked: no length announced, the limit is found while reading
        HttpResponse<String> chunked = send(HttpRequest.BodyPublishers.ofInputStream(
                () -> new java.io.ByteArrayInputStream(huge.getBytes(StandardCharsets.UTF_8))));
        assertThat(chunked.statusCode()).isEqualTo(413);
    }

    @Test
    void promptAndMaxTokensBeyondTheContext() throws Exception {
        String longPrompt = "the ".repeat(demo.model.contextLength() - 4);
        JsonNode e = error(post("{\"model\": \"gpt2-shakespeare\", \"prompt\": \"" + longPrompt + "\", \"max_tokens\": 16}"), 400);
        assertThat(e.get("code").asText()).isEqualTo("context_length_exceeded");
    }

    @Test
    void aSlowBodyTimesOutWithoutHoldingItsThread() throws Exception {
        try (RawHttp slow = new RawHttp(demo.server.port())) {
            byte[] body = "{\"model\": \"gpt2-shakespeare\", \"prompt\": \"A\"}".getBytes(StandardCharsets.UTF_8);
            slow.out.write(RawHttp.postHeaders("/v1/completions", body.length));
            long start = System.nanoTime();
            boolean cut = false;
            for (int i = 0; i < body.length && !cut; i++) {
                try {
                    slow.out.write(body[i]);
                    slow.out.flush();
                } catch (java.io.IOException e) {
                    cut = true;
                }
                stillServes(); // the others are served meanwhile
                Thread.sleep(1000);
                cut |= TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start) > 8;
            }
            slow.socket.setSoTimeout(5000);
            assertThat(slow.closedByServer()).isTrue();
            assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start)).isLessThan(12);
        }
        assertThat(demo.log).anyMatch(l -> l.contains(" 408 "));
    }

    @Test
    void aSlowRequestLineIsClosedAsIdle() throws Exception {
        try (RawHttp slow = new RawHttp(demo.server.port())) {
            byte[] line = "POST /v1/completions HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII);
            long start = System.nanoTime();
            try {
                for (byte b : line) {
                    slow.out.write(b);
                    slow.out.flush();
                    Thread.sleep(1000);
                    if (TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start) > 8) {
                        break;
                    }
                }
            } catch (java.io.IOException closed) {
                // the server closed it: what this test wants
            }
            slow.socket.setSoTimeout(5000);
            assertThat(slow.closedByServer()).isTrue();
            assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start)).isLessThan(12);
        }
    }

    @Test
    void headersSentAByteASecondAreCut() throws Exception {
        try (RawHttp slow = new RawHttp(demo.server.port())) {
            slow.out.write("POST /v1/completions HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII));
            slow.out.flush();
            byte[] headers = "Host: localhost\r\nContent-Type: application/json\r\nX-Slow: 0123456789\r\n"
                    .getBytes(StandardCharsets.US_ASCII);
            long start = System.nanoTime();
            try {
                for (byte b : headers) {
                    slow.out.write(b);
                    slow.out.flush();
                    Thread.sleep(1000);
                    if (TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start) > 8) {
                        break;
                    }
                }
            } catch (java.io.IOException closed) {
                // the server closed it: what this test wants
            }
            slow.socket.setSoTimeout(5000);
            assertThat(slow.closedByServer()).isTrue();
            assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start)).isLessThan(12);
        }
    }

    @Test
    void manyIdleConnectionsNeitherBlockOthersNorStayOpen() throws Exception {
        List<RawHttp> idle = new ArrayList<>();
        try {
            for (int i = 0; i < 200; i++) {
                idle.add(new RawHttp(demo.server.port()));
            }
            stillServes();
            for (RawHttp c : idle) {
                c.socket.setSoTimeout(8000);
                assertThat(c.closedByServer()).isTrue();
            }
        } finally {
            for (RawHttp c : idle) {
                c.close();
            }
        }
    }

    @Test
    void pendingSequencesAreBoundedAndAFullQueueIs503() {
        io.github.vectorlm.generation.Tokenizer tokenizer = demo.model.tokenizer().orElseThrow();
        Serving serving = new Serving(demo.engine, tokenizer, demo.model.contextLength(), demo.model.vocabSize(),
                ServerOptions.defaults("m").withLimits(1024, 3, 4));
        int[] p = tokenizer.encode("A");
        GenerationOptions o = GenerationOptions.greedy(2);
        try (Serving.Running two = serving.start(List.of(p, p), List.of(o, o), System.nanoTime())) {
            assertThatThrownBy(() -> serving.start(List.of(p, p), List.of(o, o), System.nanoTime()))
                    .isInstanceOfSatisfying(ApiException.class, e -> {
                        assertThat(e.status()).isEqualTo(503);
                        assertThat(e.toJson().at("/error/code").asText()).isEqualTo("server_overloaded");
                    });
            serving.start(List.of(p), List.of(o), System.nanoTime()).close(); // the third place is free
        } finally {
            serving.watchdog.close();
        }
        serving.start(List.of(p, p, p), List.of(o, o, o), System.nanoTime()).close(); // all free again
    }

    @Test
    void aClientLeavingMidStreamFreesItsCache() throws Exception {
        try (RawHttp s = new RawHttp(demo.server.port())) {
            byte[] body = "{\"model\": \"gpt2-shakespeare\", \"prompt\": \"ROMEO:\", \"max_tokens\": 240, \"stream\": true}"
                    .getBytes(StandardCharsets.UTF_8);
            s.out.write(RawHttp.postHeaders("/v1/completions", body.length));
            s.out.write(body);
            s.out.flush();
            BufferedReader reader = new BufferedReader(new InputStreamReader(s.in, StandardCharsets.UTF_8));
            int events = 0;
            for (String line; events < 3 && (line = reader.readLine()) != null; ) {
                if (line.startsWith("data: ")) {
                    events++;
                }
            }
            assertThat(demo.engine.activeSequences()).isEqualTo(1);
            assertThat(demo.engine.memoryInUse()).isPositive();
        }
        awaitEngineIdle();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (demo.log.stream().noneMatch(l -> l.contains(" 499 ")) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(demo.log).anyMatch(l -> l.contains(" 499 ") && l.contains("stream"));
    }

    @Test
    void aClientLeavingANonStreamingRequestCancelsIt() throws Exception {
        int maxTokens = 240;
        try (RawHttp s = new RawHttp(demo.server.port())) {
            byte[] body = ("{\"model\": \"gpt2-shakespeare\", \"prompt\": \"ROMEO:\", \"max_tokens\": " + maxTokens
                    + ", \"ignore_eos\": true}").getBytes(StandardCharsets.UTF_8);
            s.out.write(RawHttp.postHeaders("/v1/completions", body.length));
            s.out.write(body);
            s.out.flush();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (demo.engine.activeSequences() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            assertThat(demo.engine.activeSequences()).isEqualTo(1);
        } // closed while it generates: nothing has been sent back yet
        awaitEngineIdle();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        java.util.function.Predicate<String> cancelled = l -> l.contains(" 499 ") && !l.contains("stream");
        while (demo.log.stream().noneMatch(cancelled) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        String line = demo.log.stream().filter(cancelled).findFirst().orElseThrow(
                () -> new AssertionError("no 499 for the dropped request in " + demo.log));
        System.out.println("FaultsTest dropped non-streaming request: " + line);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("completion=(\\d+)").matcher(line);
        assertThat(m.find()).as(line).isTrue();
        assertThat(Integer.parseInt(m.group(1))).as("tokens generated before the cancel: " + line)
                .isLessThan(maxTokens / 2);
    }

    @Test
    void theProbeWritesAddressesAsTheKernelDoes() throws Exception {
        // /proc/net/tcp: 127.0.0.1 is 0100007F; in tcp6 a dual-stack socket's ::ffff:127.0.0.1
        assertThat(ConnectionProbe.forms(java.net.InetAddress.getByName("127.0.0.1")))
                .containsExactly("0100007F", "0000000000000000FFFF00000100007F");
        assertThat(ConnectionProbe.forms(java.net.InetAddress.getByName("::1")))
                .containsExactly("00000000000000000000000001000000");
    }

    private static void awaitEngineIdle() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while ((demo.engine.activeSequences() > 0 || demo.engine.memoryInUse() > 0) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(demo.engine.activeSequences()).isZero();
        assertThat(demo.engine.memoryInUse()).isZero();
    }
}
