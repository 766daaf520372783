package io.github.vectorlm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code ./vectorlm serve} end to end through the launcher: it starts on the demo model, answers
 * the README's request, and stops cleanly on SIGTERM (the request log and the "stopped" line).
 */
class ServeIT {
    private static final Pattern LISTENING = Pattern.compile("at http://127\\.0\\.0\\.1:(\\d+)/v1");

    @Test
    void answersTheReadmeRequestAndStopsOnSigterm() throws Exception {
        ProcessBuilder pb = new ProcessBuilder("bash", Cli.HOME.resolve("vectorlm").toString(), "serve", "--port", "0",
                "--parallel", "2").directory(Files.createTempDirectory("serve-it").toFile());
        pb.environment().put("VECTORLM_NO_BUILD", "1");
        pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        Process p = pb.start();
        p.getOutputStream().close();
        List<String> err = new CopyOnWriteArrayList<>();
        Thread reader = Thread.ofPlatform().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
                r.lines().forEach(err::add);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        try (HttpClient http = HttpClient.newHttpClient()) {
            int port = awaitPort(err, p);
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                    + "/v1/completions")).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                    "{\"model\": \"gpt2-shakespeare\", \"prompt\": \"ROMEO:\", \"max_tokens\": 20, \"temperature\": 0}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            JsonNode body = new ObjectMapper().readTree(r.body());
            assertThat(body.at("/choices/0/text").asText()).isNotEmpty();
            assertThat(body.at("/usage/completion_tokens").asInt()).isEqualTo(20);
        } finally {
            p.toHandle().destroy(); // SIGTERM; Process.destroy() would also close the streams read here
        }
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        reader.join(10_000);
        assertThat(p.exitValue()).as(String.join("\n", err)).isEqualTo(143); // 128 + SIGTERM, after the shutdown hook
        assertThat(err).anyMatch(l -> l.contains("POST /v1/completions 200") && l.contains("completion=20"))
                .anyMatch(l -> l.equals("vectorlm: stopped"));
    }

    private static int awaitPort(List<String> err, Process p) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (System.nanoTime() < deadline) {
            for (String line : err) {
                Matcher m = LISTENING.matcher(line);
                if (m.find()) {
                    return Integer.parseInt(m.group(1));
                }
            }
            assertThat(p.isAlive()).as("the server exited: %s", err).isTrue();
            Thread.sleep(100);
        }
        throw new AssertionError("the server did not say where it listens: " + err);
    }
}
