package io.github.vectorlm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code vectorlm download} against a local HTTP server on 127.0.0.1 that serves OpenAI's file
 * names for the 124M size: the gpt2-model fixture's TensorFlow bundle (written by TensorFlow), the
 * demo model's GPT-2 tokenizer files, and a seeded random {@code model.ckpt.meta}. The server can
 * drop a connection part way, ignore Range, lie about sizes and answer 404.
 */
class DownloadCommandTest {
    private static final Path TF = Cli.GPT2_FIXTURES.resolve("hf/openai-tf");
    private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-");
    private static final String DATA = "model.ckpt.data-00000-of-00001";

    private final Map<String, byte[]> files = new LinkedHashMap<>();
    private final List<String> log = Collections.synchronizedList(new ArrayList<>());
    /** Files whose next GET stops after this many bytes, then closes the connection. */
    private final Map<String, Integer> dropAfter = new HashMap<>();
    private final Set<String> missing = new HashSet<>();
    private final Map<String, Long> headLies = new HashMap<>();
    private volatile boolean honourRange = true;
    private HttpServer server;
    private String baseUrl;

    @BeforeEach
    void serve() throws IOException {
        long seed = 424242L;
        System.out.println("model.ckpt.meta bytes seed " + seed);
        byte[] meta = new byte[70_000];
        new Random(seed).nextBytes(meta);
        files.put("checkpoint", Files.readAllBytes(TF.resolve("checkpoint")));
        files.put("encoder.json", Files.readAllBytes(Cli.DEMO.resolve("encoder.json")));
        files.put("hparams.json", Files.readAllBytes(TF.resolve("hparams.json")));
        files.put("vocab.bpe", Files.readAllBytes(Cli.DEMO.resolve("vocab.bpe")));
        files.put("model.ckpt.index", Files.readAllBytes(TF.resolve("model.ckpt.index")));
        files.put("model.ckpt.meta", meta);
        files.put(DATA, Files.readAllBytes(TF.resolve(DATA)));

        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/gpt-2/models/124M/", this::handle);
        server.setExecutor(Executors.newFixedThreadPool(2));
        server.start();
        baseUrl = "http://127.0.0.1:" + server.getAddress().getPort() + "/gpt-2/models";
    }

    @AfterEach
    void stop() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String name = exchange.getRequestURI().getPath().substring("/gpt-2/models/124M/".length());
            String method = exchange.getRequestMethod();
            String range = exchange.getRequestHeaders().getFirst("Range");
            byte[] body = files.get(name);
            if (body == null || missing.contains(name)) {
                log.add(method + " " + name + " 404");
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            if (method.equals("HEAD")) {
                long length = headLies.getOrDefault(name, (long) body.length);
                exchange.getResponseHeaders().set("Content-Length", Long.toString(length));
                exchange.getResponseHeaders().set("Accept-Ranges", honourRange ? "bytes" : "none");
                log.add("HEAD " + name + " 200");
                exchange.sendResponseHeaders(200, -1);
                return;
            }
            int start = 0;
            int status = 200;
            Matcher m = range == null ? null : RANGE.matcher(range);
            if (m != null && m.matches() && honourRange) {
                start = Integer.parseInt(m.group(1));
                if (start >= body.length) {
                    log.add("GET " + name + " range=" + start + " 416");
                    exchange.sendResponseHeaders(416, -1);
                    return;
                }
                status = 206;
                exchange.getResponseHeaders().set("Content-Range", "bytes " + start + "-" + (body.length - 1) + "/" + body.length);
            }
            log.add("GET " + name + (range == null ? "" : " range=" + (m != null && m.matches() ? m.group(1) : range)) + " " + status);
            int length = body.length - start;
            exchange.sendResponseHeaders(status, length);
            OutputStream out = exchange.getResponseBody();
            Integer drop = dropAfter.remove(name);
            if (drop != null) {
                out.write(body, start, drop);
                out.flush();
                // closing the exchange with bytes missing makes the server close the connection
                return;
            }
            out.write(body, start, length);
        }
    }

    private Cli.Result download(Path dir, String... extra) {
        List<String> args = new ArrayList<>(List.of("download", "gpt2", "--to", dir.toString(), "--base-url", baseUrl,
                "--retry-delay-ms", "0"));
        args.addAll(Arrays.asList(extra));
        return Cli.run(args.toArray(String[]::new));
    }

    private void assertAllFilesEqualTheServers(Path dir) throws IOException {
        for (Map.Entry<String, byte[]> e : files.entrySet()) {
            assertThat(Files.readAllBytes(dir.resolve(e.getKey()))).as(e.getKey()).isEqualTo(e.getValue());
            assertThat(dir.resolve(e.getKey() + ".part")).doesNotExist();
        }
    }

    @Test
    void downloadsEveryFileAndTheFolderLoadsAsAModel(@TempDir Path tmp) throws IOException {
        Path dir = tmp.resolve("gpt2");
        Cli.Result r = download(dir).assertSuccess();
        assertThat(r.out()).isEqualTo(dir + "\n");
        assertAllFilesEqualTheServers(dir);
        for (String f : DownloadCommand.FILES) {
            assertThat(r.err()).contains(f);
        }
        // the folder is OpenAI's layout: greedy generation equals Hugging Face's on the same weights
        JsonNode expected = Cli.readJson(Cli.GPT2_FIXTURES.resolve("hf/expected-f32.json")).get("generate");
        Cli.Result gen = Cli.run("generate", "--model", dir.toString(), "--ids", Cli.ids(Cli.ints(expected.get("prompt"))),
                "--max-new-tokens", Integer.toString(expected.get("ids").size()), "--temperature", "0", "--json").assertSuccess();
        assertThat(Cli.ints(gen.json().get("ids"))).containsExactly(Cli.ints(expected.get("ids")));
    }

    @Test
    void completeFilesAreSkippedOnTheNextRun(@TempDir Path tmp) throws IOException {
        Path dir = tmp.resolve("gpt2");
        download(dir).assertSuccess();
        log.clear();
        Cli.Result again = download(dir).assertSuccess();
        assertThat(log).allMatch(line -> line.startsWith("HEAD "));
        assertThat(again.err()).contains("already complete");
        // a file whose size differs from the server's is fetched again
        Files.write(dir.resolve("hparams.json"), new byte[] {'{', '}'});
        log.clear();
        download(dir).assertSuccess();
        assertThat(log).contains("GET hparams.json 200");
        assertAllFilesEqualTheServers(dir);
    }

    @Test
    void aPartialFileFromAnEarlierRunIsResumedWithRange(@TempDir Path tmp) throws IOException {
        Path dir = tmp.resolve("gpt2");
        Files.createDirectories(dir);
        Files.write(dir.resolve(DATA + ".part"), Arrays.copyOf(files.get(DATA), 100_000));
        Cli.Result r = download(dir).assertSuccess();
        assertThat(log).contains("GET " + DATA + " range=100000 206");
        assertThat(r.err()).contains("resumed");
        assertAllFilesEqualTheServers(dir);
    }

    @Test
    void aConnectionDroppedMidFileIsRetriedFromWhereItStopped(@TempDir Path tmp) throws IOException {
        Path dir = tmp.resolve("gpt2");
        dropAfter.put(DATA, 300_000);
        dropAfter.put("encoder.json", 1000);
        Cli.Result r = download(dir).assertSuccess();
        assertThat(log).contains("GET " + DATA + " 200");
        // the retry asks for the rest only (the bytes that reached the .part before the drop)
        assertThat(log).anyMatch(line -> line.startsWith("GET " + DATA + " range=") && line.endsWith(" 206"));
        assertThat(r.err()).contains("trying again");
        assertAllFilesEqualTheServers(dir);
    }

    @Test
    void aServerThatIgnoresRangeGetsTheFileWrittenAgainFromTheStart(@TempDir Path tmp) throws IOException {
        honourRange = false;
        Path dir = tmp.resolve("gpt2");
        Files.createDirectories(dir);
        byte[] stale = new byte[50_000];
        Arrays.fill(stale, (byte) 7); // not the file's bytes: appending to them would corrupt it
        Files.write(dir.resolve(DATA + ".part"), stale);
        Cli.Result r = download(dir).assertSuccess();
        assertThat(log).contains("GET " + DATA + " range=50000 200");
        assertThat(r.err()).contains("ignores range requests");
        assertAllFilesEqualTheServers(dir);
    }

    @Test
    void aConnectionDroppedAtAServerThatIgnoresRangeStillEndsComplete(@TempDir Path tmp) throws IOException {
        honourRange = false;
        dropAfter.put(DATA, 200_000);
        Path dir = tmp.resolve("gpt2");
        download(dir).assertSuccess();
        assertAllFilesEqualTheServers(dir);
    }

    @Test
    void a404IsAOneLineErrorNamingTheUrl(@TempDir Path tmp) {
        missing.add("vocab.bpe");
        Path dir = tmp.resolve("gpt2");
        Cli.Result r = download(dir).assertOneLineError(1);
        assertThat(r.err()).contains(baseUrl + "/124M/vocab.bpe").contains("not found (HTTP 404)");
        assertThat(dir.resolve("vocab.bpe")).doesNotExist();
        assertThat(dir.resolve("vocab.bpe.part")).doesNotExist();
        assertThat(log).noneMatch(line -> line.startsWith("GET vocab.bpe") && !line.endsWith("404"));
    }

    @Test
    void aSizeThatContradictsTheAnnouncedOneIsAnErrorAndNoFile(@TempDir Path tmp) {
        headLies.put(DATA, (long) files.get(DATA).length + 100);
        Path dir = tmp.resolve("gpt2");
        Cli.Result r = download(dir).assertOneLineError(1);
        assertThat(r.err()).contains("size mismatch").contains(DATA);
        assertThat(dir.resolve(DATA)).doesNotExist();
        assertThat(dir.resolve(DATA + ".part")).doesNotExist();
    }

    @Test
    void aServerThatKeepsDroppingGivesUpAfterTheRetriesAndKeepsThePart(@TempDir Path tmp) throws IOException {
        Path dir = tmp.resolve("gpt2");
        Files.createDirectories(dir);
        // every GET of the data file drops after 10,000 more bytes: 3 attempts bring 30,000
        server.removeContext("/gpt-2/models/124M/");
        server.createContext("/gpt-2/models/124M/", exchange -> {
            String name = exchange.getRequestURI().getPath().substring("/gpt-2/models/124M/".length());
            if (name.equals(DATA) && exchange.getRequestMethod().equals("GET")) {
                dropAfter.put(DATA, 10_000);
            }
            handle(exchange);
        });
        Cli.Result r = download(dir, "--retries", "3").assertOneLineError(1);
        assertThat(r.err()).contains("gave up after 3 attempts").contains("run the command again to resume");
        assertThat(dir.resolve(DATA)).doesNotExist();
        // each attempt appends what arrived before the drop: up to 10,000 bytes (fewer when the
        // connection's last buffer is lost with it, which a loaded machine showed once), always a
        // prefix of the file
        byte[] part = Files.readAllBytes(dir.resolve(DATA + ".part"));
        assertThat(part.length).as("bytes kept").isPositive().isLessThanOrEqualTo(30_000);
        assertThat(part).isEqualTo(Arrays.copyOf(files.get(DATA), part.length));
    }

    @Test
    void aHostThatDoesNotResolveIsSaidInWordsAndNotRetried(@TempDir Path tmp) {
        long start = System.nanoTime();
        // .invalid never resolves (RFC 2606); with retries the default pauses would add 30 s
        Cli.Result r = Cli.run("download", "gpt2", "--to", tmp.resolve("gpt2").toString(), "--base-url",
                "https://no-such-host.invalid/gpt-2/models").assertOneLineError(1);
        assertThat(r.err()).contains("vectorlm: https://no-such-host.invalid/gpt-2/models/124M/checkpoint: host not found: "
                + "no-such-host.invalid does not resolve").contains("hint: check the network").doesNotContain("trying again")
                .doesNotContain("ConnectException");
        assertThat((System.nanoTime() - start) / 1e9).as("seconds").isLessThan(10);
    }

    @Test
    void aRefusedConnectionIsSaidInWords(@TempDir Path tmp) throws IOException {
        int port;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort(); // closed again: nothing listens there
        }
        Cli.Result r = Cli.run("download", "gpt2", "--to", tmp.resolve("gpt2").toString(), "--base-url",
                "http://127.0.0.1:" + port + "/gpt-2/models", "--retries", "2", "--retry-delay-ms", "0").assertOneLineError(1);
        assertThat(r.err()).contains("could not connect to 127.0.0.1:" + port + ": connection refused")
                .contains("trying again (2 of 2)").contains("gave up after 2 attempts").doesNotContain("ConnectException");
    }

    @Test
    void unknownSizeIsAUsageErrorWithTheChoices(@TempDir Path tmp) {
        Cli.Result r = Cli.run("download", "gpt3", "--to", tmp.toString()).assertOneLineError(1);
        assertThat(r.err()).contains("unknown GPT-2 size 'gpt3'").contains("gpt2-medium");
        assertThat(DownloadCommand.SIZES).containsEntry("gpt2-xl", "1558M").containsEntry("124M", "124M");
        assertThat(new String(files.get("checkpoint"), StandardCharsets.UTF_8)).contains("model.ckpt");
    }
}
