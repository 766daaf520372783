package io.github.vectorlm.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.vectorlm.cli.VectorLm;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The spark-submit jobs in {@code local[2]} against the single-process command line run in this
 * JVM: scores equal to {@code vectorlm score --texts-file}, completions to {@code vectorlm generate
 * --prompts-file}, datasets byte for byte those of {@code vectorlm preprocess}.
 */
class SparkJobsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] TEXTS = {"ROMEO:\nWhat light through yonder window breaks?",
        "First Citizen:\nWe are accounted poor citizens, the patricians good.",
        "KING RICHARD II:\nNo matter where; of comfort no man speak:\nLet's talk of graves, of worms, and epitaphs;",
        "What say you, my lord?", "MENENIUS:\nEither you must confess yourselves wondrous malicious,",
        "Thou art a villain. \u00e9t\u00e9 \u2014 caf\u00e9 \ud83d\ude00"};

    private static SparkSession spark;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        spark = SparkTests.session("SparkJobsTest");
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    @Test
    void scoreJobGivesWhatVectorlmScoreGives() throws IOException {
        Path input = numbered("body", dir.resolve("texts.jsonl"));
        Path output = dir.resolve("scored");
        ScoreJob.run(spark, new String[] {"--model", SparkTests.MODEL, "--input", input.toString(), "--output",
            output.toString(), "--text-column", "body", "--max-in-flight", "3"});

        Path cliInput = dir.resolve("cli.jsonl");
        List<String> cliLines = new ArrayList<>();
        for (String t : TEXTS) {
            cliLines.add(JSON.writeValueAsString(Map.of("text", t)));
        }
        Files.write(cliInput, cliLines);
        String cli = cli("score", "--model", SparkTests.MODEL, "--texts-file", cliInput.toString());
        List<JsonNode> expected = cli.lines().map(SparkJobsTest::json).toList();

        Map<Integer, JsonNode> byId = rowsById(output);
        for (int i = 0; i < TEXTS.length; i++) {
            JsonNode row = byId.get(i);
            JsonNode want = expected.get(i);
            assertThat(row.get("body").asText()).isEqualTo(TEXTS[i]);
            assertThat(row.get("tokens").asInt()).isEqualTo(want.get("tokens").asInt());
            double loss = want.get("loss").asDouble();
            assertThat(row.get("loss").asDouble()).isCloseTo(loss, within(1e-6 * loss));
            double ppl = want.get("perplexity").asDouble();
            assertThat(row.get("perplexity").asDouble()).isCloseTo(ppl, within(1e-6 * ppl));
        }
    }

    @Test
    void generateJobGivesWhatVectorlmGenerateGives() throws IOException {
        Path input = numbered("prompt", dir.resolve("prompts.jsonl"));
        for (String[] sampling : List.of(new String[] {"--temperature", "0"},
                new String[] {"--temperature", "0.9", "--top-k", "20", "--seed", "5"})) {
            Path output = dir.resolve("completed" + sampling.length);
            List<String> args = new ArrayList<>(List.of("--model", SparkTests.MODEL, "--input", input.toString(),
                    "--output", output.toString(), "--max-new-tokens", "12", "--max-in-flight", "3"));
            args.addAll(List.of(sampling));
            GenerateJob.run(spark, args.toArray(String[]::new));

            List<String> cliArgs = new ArrayList<>(List.of("generate", "--model", SparkTests.MODEL, "--prompts-file",
                    input.toString(), "--max-new-tokens", "12"));
            cliArgs.addAll(List.of(sampling));
            if (!cliArgs.contains("--seed")) {
                cliArgs.addAll(List.of("--seed", "0")); // the job's default; greedy ignores it
            }
            List<JsonNode> expected = cli(cliArgs.toArray(String[]::new)).lines().map(SparkJobsTest::json).toList();
            Map<Integer, JsonNode> byId = rowsById(output);
            for (int i = 0; i < TEXTS.length; i++) {
                String completion = byId.get(i).get("completion").asText();
                assertThat(TEXTS[i] + completion).as("row %d, %s", i, List.of(sampling))
                        .isEqualTo(expected.get(i).get("text").asText());
            }
        }
    }

    @Test
    void scoreJobReadsAndWritesParquet() throws IOException {
        Path input = dir.resolve("texts.parquet");
        List<Row> rows = new ArrayList<>();
        for (String t : TEXTS) {
            rows.add(org.apache.spark.sql.RowFactory.create(t));
        }
        spark.createDataFrame(rows, new org.apache.spark.sql.types.StructType().add("text",
                org.apache.spark.sql.types.DataTypes.StringType)).write().parquet(input.toString());
        Path output = dir.resolve("scored.parquet");
        ScoreJob.run(spark, new String[] {"--model", SparkTests.MODEL, "--input", input.toString(), "--output",
            output.toString(), "--format", "parquet"});
        List<Row> out = spark.read().parquet(output.toString()).collectAsList();
        assertThat(out).hasSize(TEXTS.length);
        assertThat(out.get(0).schema().fieldNames()).containsExactly("text", "tokens", "loss", "perplexity");
        io.github.vectorlm.generation.Scorer scorer = new io.github.vectorlm.generation.Scorer(
                ExecutorModels.model(SparkTests.MODEL).model());
        for (Row r : out) {
            double loss = scorer.score(r.getString(0)).loss();
            assertThat(r.getDouble(2)).isCloseTo(loss, within(1e-6 * loss));
        }
    }

    @Test
    void jobsPrintTheirHelpAndRefuseWrongCommandLines() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertThat(ScoreJob.usage(new String[] {"--help"}, new PrintStream(out), new PrintStream(err))).isZero();
        assertThat(out.toString()).startsWith("Usage: spark-submit --class io.github.vectorlm.spark.ScoreJob")
                .contains("--text-column").contains("--format");
        assertThat(PreprocessJob.usage(new String[] {"--help"}, new PrintStream(out), new PrintStream(err))).isZero();
        assertThat(out.toString()).contains("--output-prefix").contains("--append-eod").contains("--json-keys");
        assertThat(ScoreJob.usage(new String[] {"--model", "m", "--input", "i"}, new PrintStream(out),
                new PrintStream(err))).isEqualTo(2);
        assertThat(err.toString()).startsWith("error: missing --output");
        err.reset();
        assertThat(ScoreJob.usage(new String[] {"--model", "m", "--input", "i", "--output", "o", "--format", "csv"},
                new PrintStream(out), new PrintStream(err))).isEqualTo(2);
        assertThat(err.toString()).startsWith("error: --format must be one of jsonl, parquet, not csv");
        err.reset();
        assertThat(PreprocessJob.usage(new String[] {"--input", "i", "--tokenizer", "t", "--output-prefix", "p",
            "--workers", "2"}, new PrintStream(out), new PrintStream(err))).isEqualTo(2);
        assertThat(err.toString()).startsWith("error: unknown option --workers");
        assertThat(ScoreJob.usage(new String[] {"--model", "m", "--input", "i", "--output", "o"},
                new PrintStream(out), new PrintStream(err))).isNull();
        out.reset();
        assertThat(GenerateJob.usage(new String[] {"--help"}, new PrintStream(out), new PrintStream(err))).isZero();
        assertThat(out.toString()).startsWith("Usage: spark-submit --class io.github.vectorlm.spark.GenerateJob")
                .contains("--prompt-column").contains("--max-new-tokens").contains("--top-p");
        String[] base = {"--model", "m", "--input", "i", "--output", "o"};
        for (String[] bad : List.of(new String[] {"--temperature", "hot"}, new String[] {"--top-p", "0"},
                new String[] {"--top-k", "-1"}, new String[] {"--seed", "1.5"}, new String[] {"--max-new-tokens", "0"})) {
            err.reset();
            String[] args = java.util.stream.Stream.concat(java.util.Arrays.stream(base), java.util.Arrays.stream(bad))
                    .toArray(String[]::new);
            assertThat(GenerateJob.usage(args, new PrintStream(out), new PrintStream(err))).as(List.of(bad).toString())
                    .isEqualTo(2);
            assertThat(err.toString()).as(List.of(bad).toString()).startsWith("error: ").contains(bad[0].substring(2));
        }
        assertThat(GenerateJob.usage(base, new PrintStream(out), new PrintStream(err))).isNull();
    }

    @Test
    void scoreJobNamesAMissingTextColumn() throws IOException {
        Path input = dir.resolve("texts.jsonl");
        Files.writeString(input, "{\"body\": \"ROMEO:\"}\n");
        assertThatThrownBy(() -> ScoreJob.run(spark, new String[] {"--model", SparkTests.MODEL, "--input",
            input.toString(), "--output", dir.resolve("o").toString()}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("VectorLmScorer: no column \"text\" in the input; it has [body]");
    }

    @Test
    void preprocessJobWritesWhatVectorlmPreprocessWrites() throws IOException {
        // several files (one gzipped), CRLF endings, blank lines, an empty text under one key,
        // non-ASCII text: cut into more partitions than files
        StringBuilder a = new StringBuilder();
        for (int i = 0; i < 60; i++) {
            String text = TEXTS[i % TEXTS.length] + " " + i;
            a.append(JSON.writeValueAsString(Map.of("text", text, "title", i % 7 == 0 ? "" : "T" + i, "n", i)));
            a.append(i % 5 == 0 ? "\r\n" : "\n");
            if (i % 11 == 0) {
                a.append("\n");
            }
        }
        Path first = dir.resolve("a.jsonl");
        Files.writeString(first, a);
        Path second = dir.resolve("b.jsonl.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(second))) {
            for (int i = 0; i < 9; i++) {
                out.write((JSON.writeValueAsString(Map.of("text", TEXTS[i % TEXTS.length], "title", "g" + i)) + "\n")
                        .getBytes(StandardCharsets.UTF_8));
            }
        }
        String tokenizer = SparkTests.MODEL + "/encoder.json";
        Path ours = dir.resolve("spark");
        PreprocessJob.Result written = PreprocessJob.run(spark, new String[] {"--input", first + "," + second, "--tokenizer",
            tokenizer, "--output-prefix", ours.toString(), "--append-eod", "--json-keys", "text,title",
            "--partitions", "4"});
        assertThat(written.datasets()).containsExactly(dir.resolve("spark_text_document"),
                dir.resolve("spark_title_document"));
        assertThat(written.partitions()).as("the merge must have something to do").isGreaterThanOrEqualTo(4);
        assertThat(dir.resolve("spark_parts")).doesNotExist();

        Path theirs = dir.resolve("cli");
        cli("preprocess", "--input", first.toString(), second.toString(), "--tokenizer", tokenizer, "--output-prefix",
                theirs.toString(), "--append-eod", "--json-keys", "text", "title");
        for (String key : List.of("text", "title")) {
            for (String ext : List.of(".bin", ".idx")) {
                byte[] expected = Files.readAllBytes(dir.resolve("cli_" + key + "_document" + ext));
                assertThat(expected).hasSizeGreaterThan(16);
                assertThat(Files.readAllBytes(dir.resolve("spark_" + key + "_document" + ext)))
                        .as(key + ext).isEqualTo(expected);
            }
        }
        try (io.github.vectorlm.corpus.IndexedDataset d = io.github.vectorlm.corpus.IndexedDataset.open(
                dir.resolve("spark_text_document"))) {
            assertThat(d.documents()).isEqualTo(69);
        }
    }

    @Test
    void preprocessJobNamesABadLine() throws IOException {
        Path input = dir.resolve("bad.jsonl");
        Files.writeString(input, "{\"text\": \"ROMEO:\"}\n{\"text\": 3}\n");
        assertThatThrownBy(() -> PreprocessJob.run(spark, new String[] {"--input", input.toString(), "--tokenizer",
            SparkTests.MODEL + "/encoder.json", "--output-prefix", dir.resolve("out").toString()}))
                .satisfies(e -> assertThat(String.valueOf(e.getMessage()))
                        .contains("bad.jsonl from byte 0, line 2 of the split: \"text\" is a number, not a string"));
        assertThat(dir.resolve("out_parts")).doesNotExist();
        assertThat(dir.resolve("out_text_document.bin")).doesNotExist();
    }

    @Test
    void preprocessJobReadsXzAndZstdFilesWholeAsTheCliDoes() throws IOException {
        // plain, xz, zstd, plain again (the names say nothing: the bytes do), cut into splits
        // where the files are plain: two runs of split files around a run of whole files
        Path corpus = Path.of("../corpus/src/test/resources/preprocess"); // the corpus module's fixtures
        Path plain = dir.resolve("plain.jsonl");
        Files.copy(corpus.resolve("docs.jsonl"), plain);
        Path xz = dir.resolve("x.data");
        Files.copy(corpus.resolve("docs.jsonl.xz"), xz);
        Path zst = dir.resolve("z.data");
        Files.copy(corpus.resolve("docs.jsonl.zst"), zst);
        String inputs = plain + "," + xz + "," + zst + "," + plain;
        String tokenizer = SparkTests.MODEL + "/encoder.json";
        PreprocessJob.Result written = PreprocessJob.run(spark, new String[] {"--input", inputs, "--tokenizer",
            tokenizer, "--output-prefix", dir.resolve("spark").toString(), "--append-eod", "--partitions", "3"});
        assertThat(written.partitions()).as("3+ splits of each plain file, one per compressed file")
                .isGreaterThanOrEqualTo(8);
        cli("preprocess", "--input", plain.toString(), xz.toString(), zst.toString(), plain.toString(), "--tokenizer",
                tokenizer, "--output-prefix", dir.resolve("cli").toString(), "--append-eod");
        assertSameFiles("cli_text_document", "spark_text_document");
    }

    @Test
    void preprocessJobSkipsBadLinesAsTheCliDoes() throws IOException {
        StringBuilder mixed = new StringBuilder();
        for (int i = 0; i < 40; i++) {
            mixed.append(JSON.writeValueAsString(Map.of("text", TEXTS[i % TEXTS.length] + " " + i))).append('\n');
            if (i % 9 == 4) {
                mixed.append(i % 2 == 0 ? "not json " + i : "{\"text\": " + i + "}").append('\n');
            }
        }
        Path plain = dir.resolve("mixed.jsonl");
        Files.writeString(plain, mixed);
        Path gz = dir.resolve("mixed.jsonl.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
            out.write(mixed.toString().getBytes(StandardCharsets.UTF_8));
        }
        String tokenizer = SparkTests.MODEL + "/encoder.json";
        PreprocessJob.Result written = PreprocessJob.run(spark, new String[] {"--input", plain + "," + gz,
            "--tokenizer", tokenizer, "--output-prefix", dir.resolve("spark").toString(), "--skip-bad-lines",
            "--partitions", "2"});
        assertThat(written.badLines()).isEqualTo(2 * 4);
        String summary = cli("preprocess", "--input", plain.toString(), gz.toString(), "--tokenizer", tokenizer,
                "--output-prefix", dir.resolve("cli").toString(), "--skip-bad-lines", "--json");
        assertThat(json(summary.strip()).get("bad_lines").asLong()).isEqualTo(written.badLines());
        assertSameFiles("cli_text_document", "spark_text_document");

        // without the flag, a bad line of a compressed file fails the job, named with its file and line
        assertThatThrownBy(() -> PreprocessJob.run(spark, new String[] {"--input", gz.toString(), "--tokenizer",
            tokenizer, "--output-prefix", dir.resolve("out").toString()}))
                .satisfies(e -> assertThat(String.valueOf(e.getMessage()))
                        .contains("mixed.jsonl.gz, line 6: not JSON"));
        assertThat(dir.resolve("out_text_document.bin")).doesNotExist();
    }

    private void assertSameFiles(String expectedPrefix, String actualPrefix) throws IOException {
        for (String ext : List.of(".bin", ".idx")) {
            byte[] expected = Files.readAllBytes(dir.resolve(expectedPrefix + ext));
            assertThat(expected).hasSizeGreaterThan(16);
            assertThat(Files.readAllBytes(dir.resolve(actualPrefix + ext))).as(actualPrefix + ext).isEqualTo(expected);
        }
    }

    private static JsonNode json(String line) {
        try {
            return JSON.readTree(line);
        } catch (IOException e) {
            throw new AssertionError(line, e);
        }
    }

    /** Runs the command line in this JVM; fails unless it exits with 0. */
    /** Writes {@link #TEXTS} to {@code file} as JSON lines {@code {"id": i, key: text}}; returns the file. */
    private static Path numbered(String key, Path file) throws IOException {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < TEXTS.length; i++) {
            lines.add(JSON.writeValueAsString(Map.of("id", i, key, TEXTS[i])));
        }
        return Files.write(file, lines);
    }

    /** The rows of a job's JSON-lines output folder by their {@code id}, one for each of {@link #TEXTS}. */
    private static Map<Integer, JsonNode> rowsById(Path output) throws IOException {
        Map<Integer, JsonNode> byId = new HashMap<>();
        try (Stream<Path> parts = Files.list(output)) {
            for (Path part : parts.filter(p -> p.getFileName().toString().startsWith("part-")).toList()) {
                Files.readAllLines(part).forEach(l -> byId.put(json(l).get("id").asInt(), json(l)));
            }
        }
        assertThat(byId).hasSize(TEXTS.length);
        return byId;
    }

    private static String cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = VectorLm.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        assertThat(status).as(err.toString()).isZero();
        return out.toString();
    }
}
