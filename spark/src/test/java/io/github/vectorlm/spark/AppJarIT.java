package io.github.vectorlm.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.vectorlm.cli.VectorLm;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The application jar as {@code spark-submit} runs it: a JVM whose class path is Spark's alone
 * (Spark, Scala, their Jackson; nothing of VectorLM's), {@code SparkSubmit} with
 * {@code --master local[2]} and the jar. The jobs must find the models and their libraries in the
 * jar, must not clash with Spark's Jackson, and must give what the command line gives.
 */
class AppJarIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] TEXTS = {"ROMEO:\nWhat light through yonder window breaks?",
        "First Citizen:\nWe are accounted poor citizens, the patricians good.", "What say you, my lord?",
        "MENENIUS:\nEither you must confess yourselves wondrous malicious,"};

    @TempDir
    Path dir;

    @Test
    void scoreAndPreprocessJobsRunFromTheJarAlone() throws Exception {
        Path input = dir.resolve("texts.jsonl");
        List<String> lines = new ArrayList<>();
        for (String t : TEXTS) {
            lines.add(JSON.writeValueAsString(Map.of("text", t)));
        }
        Files.write(input, lines);

        submit("io.github.vectorlm.spark.ScoreJob", "--model", SparkTests.MODEL, "--input", input.toString(),
                "--output", dir.resolve("scored").toString());
        List<JsonNode> expected = cli("score", "--model", SparkTests.MODEL, "--texts-file", input.toString())
                .lines().map(AppJarIT::json).toList();
        List<JsonNode> scored = new ArrayList<>();
        try (Stream<Path> parts = Files.list(dir.resolve("scored"))) {
            for (Path part : parts.filter(p -> p.getFileName().toString().startsWith("part-")).sorted().toList()) {
                Files.readAllLines(part).forEach(l -> scored.add(json(l)));
            }
        }
        assertThat(scored).hasSize(TEXTS.length);
        for (JsonNode row : scored) {
            int i = Arrays.asList(TEXTS).indexOf(row.get("text").asText());
            double loss = expected.get(i).get("loss").asDouble();
            assertThat(row.get("loss").asDouble()).isCloseTo(loss, within(1e-6 * loss));
        }

        String tokenizer = SparkTests.MODEL + "/encoder.json";
        submit("io.github.vectorlm.spark.PreprocessJob", "--input", input.toString(), "--tokenizer", tokenizer,
                "--output-prefix", dir.resolve("spark").toString(), "--append-eod", "--partitions", "2");
        cli("preprocess", "--input", input.toString(), "--tokenizer", tokenizer, "--output-prefix",
                dir.resolve("cli").toString(), "--append-eod");
        for (String ext : List.of(".bin", ".idx")) {
            assertThat(Files.readAllBytes(dir.resolve("spark_text_document" + ext)))
                    .isEqualTo(Files.readAllBytes(dir.resolve("cli_text_document" + ext)));
        }
    }

    /** Runs SparkSubmit in a JVM of Spark's class path with the application jar; fails unless it exits with 0. */
    private void submit(String mainClass, String... args) throws IOException, InterruptedException {
        Path target = Path.of("target");
        String sparkClassPath = Files.readString(target.resolve("spark-class-path.txt")).strip();
        Path appJar;
        try (Stream<Path> files = Files.list(target)) {
            appJar = files.filter(p -> p.getFileName().toString().endsWith("-app.jar")).findFirst().orElseThrow(
                    () -> new AssertionError("no application jar in target/: run the package phase"));
        }
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(Arrays.asList(System.getProperty("vectorlm.spark.jvm.flags").trim().split("\\s+")));
        command.addAll(List.of("-Xmx1g", "-cp", sparkClassPath, "org.apache.spark.deploy.SparkSubmit",
                "--master", "local[2]", "--conf", "spark.ui.enabled=false", "--conf", "spark.driver.host=127.0.0.1",
                "--conf", "spark.driver.bindAddress=127.0.0.1", "--class", mainClass, appJar.toString()));
        command.addAll(Arrays.asList(args));
        Path log = dir.resolve(mainClass.substring(mainClass.lastIndexOf('.') + 1) + ".log");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError(mainClass + " did not finish in 5 minutes:\n" + Files.readString(log));
        }
        assertThat(p.exitValue()).as(Files.readString(log)).isZero();
    }

    private static JsonNode json(String line) {
        try {
            return JSON.readTree(line);
        } catch (IOException e) {
            throw new AssertionError(line, e);
        }
    }

    private static String cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = VectorLm.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        assertThat(status).as(err.toString()).isZero();
        return out.toString();
    }
}
