package io.github.vectorlm.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.vectorlm.cli.VectorLm;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
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
 * A real standalone cluster on 127.0.0.1, started by the test: a master and two workers, each a
 * JVM of Spark's class path alone, whose executors are JVMs the workers start. The application
 * jar is submitted through {@code SparkSubmit}; its results must equal the command line's: scores,
 * greedy completions, preprocessed datasets.
 */
class StandaloneClusterIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] TEXTS = {"ROMEO:\nWhat light through yonder window breaks?",
        "First Citizen:\nWe are accounted poor citizens, the patricians good.", "What say you, my lord?",
        "MENENIUS:\nEither you must confess yourselves wondrous malicious,", "O, woe is me,"};

    @TempDir
    Path dir;

    private final List<Process> processes = new ArrayList<>();

    @Test
    void jobsOnTwoWorkersGiveWhatTheCommandLineGives() throws Exception {
        String sparkClassPath = Files.readString(Path.of("target/spark-class-path.txt")).strip();
        Path sparkHome = Files.createDirectories(dir.resolve("spark-home/jars")).getParent();
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String master = "spark://127.0.0.1:" + port;
        try {
            Path masterLog = start("master", sparkClassPath, sparkHome, "org.apache.spark.deploy.master.Master",
                    "--host", "127.0.0.1", "--port", String.valueOf(port), "--webui-port", "0");
            for (int w = 1; w <= 2; w++) {
                start("worker" + w, sparkClassPath, sparkHome, "org.apache.spark.deploy.worker.Worker", "--host",
                        "127.0.0.1", "--cores", "1", "--memory", "1g", "--webui-port", "0", "--work-dir",
                        Files.createDirectories(dir.resolve("work" + w)).toString(), master);
            }
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            while (count(masterLog, "Registering worker") < 2) {
                assertThat(System.nanoTime()).as("two workers registered:\n" + Files.readString(masterLog))
                        .isLessThan(deadline);
                Thread.sleep(500);
            }

            Path input = textsUnder("text", dir.resolve("texts.jsonl"));
            submit(master, sparkClassPath, "io.github.vectorlm.spark.ScoreJob", "--model", SparkTests.MODEL,
                    "--input", input.toString(), "--output", dir.resolve("scored").toString());
            List<JsonNode> expected = cli("score", "--model", SparkTests.MODEL, "--texts-file", input.toString())
                    .lines().map(StandaloneClusterIT::json).toList();
            List<JsonNode> scored = parts(dir.resolve("scored"));
            assertThat(scored).hasSize(TEXTS.length);
            for (JsonNode row : scored) {
                int i = Arrays.asList(TEXTS).indexOf(row.get("text").asText());
                double loss = expected.get(i).get("loss").asDouble();
                assertThat(row.get("loss").asDouble()).isCloseTo(loss, within(1e-6 * loss));
            }

            Path prompts = textsUnder("prompt", dir.resolve("prompts.jsonl"));
            submit(master, sparkClassPath, "io.github.vectorlm.spark.GenerateJob", "--model", SparkTests.MODEL,
                    "--input", prompts.toString(), "--output", dir.resolve("completed").toString(),
                    "--max-new-tokens", "12");
            List<JsonNode> generated = cli("generate", "--model", SparkTests.MODEL, "--prompts-file", prompts.toString(),
                    "--max-new-tokens", "12", "--temperature", "0").lines().map(StandaloneClusterIT::json).toList();
            List<JsonNode> completed = parts(dir.resolve("completed"));
            assertThat(completed).hasSize(TEXTS.length);
            for (JsonNode row : completed) { // greedy: the same text
                int i = Arrays.asList(TEXTS).indexOf(row.get("prompt").asText());
                assertThat(TEXTS[i] + row.get("completion").asText()).isEqualTo(generated.get(i).get("text").asText());
            }

            String tokenizer = SparkTests.MODEL + "/encoder.json";
            submit(master, sparkClassPath, "io.github.vectorlm.spark.PreprocessJob", "--input", input.toString(),
                    "--tokenizer", tokenizer, "--output-prefix", dir.resolve("spark").toString(), "--append-eod",
                    "--partitions", "3");
            cli("preprocess", "--input", input.toString(), "--tokenizer", tokenizer, "--output-prefix",
                    dir.resolve("cli").toString(), "--append-eod");
            for (String ext : List.of(".bin", ".idx")) {
                assertThat(Files.readAllBytes(dir.resolve("spark_text_document" + ext)))
                        .isEqualTo(Files.readAllBytes(dir.resolve("cli_text_document" + ext)));
            }
            // both workers ran executors
            for (int w = 1; w <= 2; w++) {
                try (Stream<Path> apps = Files.list(dir.resolve("work" + w))) {
                    assertThat(apps.toList()).as("applications run on worker " + w).isNotEmpty();
                }
            }
        } finally {
            for (Process p : processes) {
                p.destroy();
            }
            for (Process p : processes) {
                if (!p.waitFor(20, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            }
        }
    }

    private Path start(String name, String classPath, Path sparkHome, String mainClass, String... args)
            throws IOException {
        List<String> command = new ArrayList<>(java());
        command.addAll(List.of("-Xmx256m", "-cp", classPath, mainClass));
        command.addAll(Arrays.asList(args));
        Path log = dir.resolve(name + ".log");
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("SPARK_HOME", sparkHome.toString());
        pb.environment().put("SPARK_SCALA_VERSION", "2.13");
        pb.environment().put("SPARK_DIST_CLASSPATH", classPath); // the executors' class path
        pb.environment().put("JAVA_HOME", Path.of(java().get(0)).getParent().getParent().toString());
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        processes.add(pb.start());
        return log;
    }

    private void submit(String master, String classPath, String mainClass, String... args) throws Exception {
        Path appJar;
        try (Stream<Path> files = Files.list(Path.of("target"))) {
            appJar = files.filter(p -> p.getFileName().toString().endsWith("-app.jar")).findFirst().orElseThrow();
        }
        String flags = System.getProperty("vectorlm.spark.jvm.flags").trim();
        List<String> command = new ArrayList<>(java());
        command.addAll(List.of("-Xmx1g", "-cp", classPath, "org.apache.spark.deploy.SparkSubmit", "--master", master,
                "--deploy-mode", "client", "--total-executor-cores", "2", "--executor-memory", "768m",
                "--conf", "spark.executor.extraJavaOptions=" + flags, "--conf", "spark.ui.enabled=false",
                "--conf", "spark.driver.host=127.0.0.1", "--conf", "spark.driver.bindAddress=127.0.0.1",
                "--class", mainClass, appJar.toString()));
        command.addAll(Arrays.asList(args));
        Path log = dir.resolve(mainClass.substring(mainClass.lastIndexOf('.') + 1) + ".log");
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        Process p = pb.start();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError(mainClass + " did not finish in 5 minutes:\n" + Files.readString(log));
        }
        assertThat(p.exitValue()).as(Files.readString(log)).isZero();
    }

    private static List<String> java() {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(Arrays.asList(System.getProperty("vectorlm.spark.jvm.flags").trim().split("\\s+")));
        return command;
    }

    /** Writes {@link #TEXTS} to {@code file} as JSON lines, each under {@code key}; returns the file. */
    private static Path textsUnder(String key, Path file) throws IOException {
        List<String> lines = new ArrayList<>();
        for (String t : TEXTS) {
            lines.add(JSON.writeValueAsString(Map.of(key, t)));
        }
        return Files.write(file, lines);
    }

    /** The rows of a job's JSON-lines output folder. */
    private static List<JsonNode> parts(Path folder) throws IOException {
        List<JsonNode> rows = new ArrayList<>();
        try (Stream<Path> parts = Files.list(folder)) {
            for (Path part : parts.filter(p -> p.getFileName().toString().startsWith("part-")).sorted().toList()) {
                Files.readAllLines(part).forEach(l -> rows.add(json(l)));
            }
        }
        return rows;
    }

    private static long count(Path log, String text) throws IOException {
        return Files.exists(log) ? Files.readString(log).lines().filter(l -> l.contains(text)).count() : 0;
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
