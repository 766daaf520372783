package io.github.vectorlm.corpus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.vectorlm.generation.Tokenizer;
import io.github.vectorlm.generation.Tokenizers;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code preprocess} against GPT-NeoX's own preprocessing: the fixtures were written by
 * GPT-NeoX's {@code MMapIndexedDatasetBuilder} from Hugging Face {@code tokenizers}' ids
 * (tools/make_preprocess_fixtures.py); ours must be the same bytes.
 */
class PreprocessorTest {
    static final Path FIXTURES = Path.of("src/test/resources/preprocess");
    static final Path NEOX_TOKENIZER = Path.of("../generation/src/test/resources/tokenizers/20B_tokenizer.json");
    static Tokenizer tokenizer;

    @BeforeAll
    static void load() throws IOException {
        tokenizer = Tokenizers.load(NEOX_TOKENIZER);
    }

    static Preprocessor.Result run(List<Path> inputs, Path prefix, PreprocessOptions options) throws IOException {
        return new Preprocessor(tokenizer, options).run(inputs, prefix, Preprocessor.ProgressCallback.NONE);
    }

    static void assertSameDataset(Path actual, Path expected) throws IOException {
        assertThat(Files.readAllBytes(IndexedDatasetFormat.binFile(actual)))
                .as(actual + ".bin").isEqualTo(Files.readAllBytes(IndexedDatasetFormat.binFile(expected)));
        assertThat(Files.readAllBytes(IndexedDatasetFormat.idxFile(actual)))
                .as(actual + ".idx").isEqualTo(Files.readAllBytes(IndexedDatasetFormat.idxFile(expected)));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3})
    void sameBytesAsGptNeoxWithAndWithoutEndOfText(int workers, @TempDir Path dir) throws IOException {
        PreprocessOptions options = PreprocessOptions.defaults().withWorkers(workers);
        Preprocessor.Result eod = run(List.of(FIXTURES.resolve("docs.jsonl")), dir.resolve("eod"),
                options.withAppendEndOfText(true));
        assertSameDataset(eod.outputs().get("text"), FIXTURES.resolve("neox20b_text_document"));
        assertThat(eod.outputs().get("text")).isEqualTo(dir.resolve("eod_text_document"));
        Preprocessor.Result plain = run(List.of(FIXTURES.resolve("docs.jsonl")), dir.resolve("plain"), options);
        assertSameDataset(plain.outputs().get("text"), FIXTURES.resolve("neox20b_noeod_text_document"));
        assertThat(eod.progress().documents()).isEqualTo(plain.progress().documents()).isEqualTo(45); // 46 lines, one empty
        assertThat(eod.progress().tokens()).isEqualTo(plain.progress().tokens() + 45);
        try (var stream = Files.list(dir)) {
            assertThat(stream.map(p -> p.getFileName().toString())).as("no temporary file left")
                    .containsExactlyInAnyOrder("eod_text_document.bin", "eod_text_document.idx",
                            "plain_text_document.bin", "plain_text_document.idx");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"docs.jsonl.gz", "docs.jsonl.xz", "docs.jsonl.zst"})
    void compressedCorporaDecompressByTheirMagic(String name, @TempDir Path dir) throws IOException {
        Path renamed = dir.resolve("corpus.data"); // the name says nothing: the bytes do
        Files.copy(FIXTURES.resolve(name), renamed);
        Preprocessor.Result r = run(List.of(renamed), dir.resolve("out"),
                PreprocessOptions.defaults().withAppendEndOfText(true).withWorkers(2));
        assertSameDataset(r.outputs().get("text"), FIXTURES.resolve("neox20b_text_document"));
        assertThat(r.progress().fileBytesRead()).isEqualTo(Files.size(renamed));
    }

    @Test
    void badLinesNameTheFileAndLineAndLeaveNothingBehind(@TempDir Path dir) throws IOException {
        String[] bad = {"{\"text\": \"ok\"", "[\"text\"]", "{\"title\": \"no text\"}", "{\"text\": 5}",
            "{\"text\": \"a\"} {\"text\": \"b\"}"};
        String[] why = {"not JSON", "not a JSON object", "no key \"text\"", "\"text\" is a number, not a string",
            "not one JSON object"};
        for (int i = 0; i < bad.length; i++) {
            Path corpus = dir.resolve("bad" + i + ".jsonl");
            Files.writeString(corpus, "{\"text\": \"fine\"}\n\n" + bad[i] + "\n{\"text\": \"fine\"}\n");
            assertThatThrownBy(() -> run(List.of(corpus), dir.resolve("out"), PreprocessOptions.defaults()))
                    .isInstanceOf(CorpusLineException.class)
                    .hasMessageStartingWith(corpus + ":3: ").hasMessageContaining(why[i]);
        }
        Path invalidUtf8 = dir.resolve("utf8.jsonl");
        byte[] line = "{\"text\": \"caf\u00e9\"}\n".getBytes(StandardCharsets.UTF_8);
        line[14] = (byte) 0xC3; // é is C3 A9 at bytes 13, 14: now C3 C3
        Files.write(invalidUtf8, line);
        assertThatThrownBy(() -> run(List.of(invalidUtf8), dir.resolve("out"), PreprocessOptions.defaults()))
                .hasMessage(invalidUtf8 + ":1: invalid UTF-8 at byte 13");
        try (var stream = Files.list(dir)) {
            assertThat(stream.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith("out"));
        }
    }

    @Test
    void skippingBadLinesCountsThemAndKeepsTheRest(@TempDir Path dir) throws IOException {
        List<String> lines = Files.readAllLines(FIXTURES.resolve("docs.jsonl"));
        List<String> mixed = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            mixed.add(lines.get(i));
            if (i % 10 == 3) {
                mixed.add("not json " + i);
            }
        }
        Path corpus = dir.resolve("mixed.jsonl");
        Files.write(corpus, mixed);
        Preprocessor.Result r = run(List.of(corpus), dir.resolve("out"),
                PreprocessOptions.defaults().withAppendEndOfText(true).withSkipBadLines(true));
        assertThat(r.progress().badLines()).isEqualTo(5);
        assertThat(r.firstBadLine().line()).isEqualTo(5);
        assertSameDataset(r.outputs().get("text"), FIXTURES.resolve("neox20b_text_document"));
    }

    @Test
    void severalKeysWriteOneDatasetEach(@TempDir Path dir) throws IOException {
        Path corpus = dir.resolve("two.jsonl");
        Files.writeString(corpus, "{\"q\": \"What light?\", \"a\": \"The east.\"}\n{\"a\": \"\", \"q\": \"Who?\"}\n");
        Preprocessor.Result r = run(List.of(corpus), dir.resolve("qa"),
                PreprocessOptions.defaults().withKeys(List.of("q", "a")));
        try (IndexedDataset q = IndexedDataset.open(r.outputs().get("q"));
                IndexedDataset a = IndexedDataset.open(r.outputs().get("a"))) {
            assertThat(q.documents()).isEqualTo(2);
            assertThat(q.item(1)).containsExactly(tokenizer.encode("Who?"));
            assertThat(a.documents()).isEqualTo(2);
            assertThat(a.items()).isEqualTo(1); // the empty answer is an empty document
            assertThat(a.documentStart(1)).isEqualTo(1);
            assertThat(a.documentStart(2)).isEqualTo(1);
        }
    }

    @Test
    void mergingTheHalvesGivesTheWhole(@TempDir Path dir) throws IOException {
        List<String> lines = Files.readAllLines(FIXTURES.resolve("docs.jsonl"));
        Path first = dir.resolve("a.jsonl");
        Path second = dir.resolve("b.jsonl");
        Files.write(first, lines.subList(0, 20));
        Files.write(second, lines.subList(20, lines.size()));
        Path parts = Files.createDirectory(dir.resolve("parts"));
        PreprocessOptions eod = PreprocessOptions.defaults().withAppendEndOfText(true);
        run(List.of(first), parts.resolve("p0"), eod);
        run(List.of(second), parts.resolve("p1"), eod);
        List<Path> found = IndexedDatasets.inFolder(parts);
        assertThat(found).containsExactly(parts.resolve("p0_text_document"), parts.resolve("p1_text_document"));
        long[] counts = IndexedDatasets.merge(found, dir.resolve("merged"));
        assertThat(counts[1]).isEqualTo(45);
        assertSameDataset(dir.resolve("merged"), FIXTURES.resolve("neox20b_text_document"));
        // two inputs in one run are the same as one file
        run(List.of(first, second), dir.resolve("both"), eod);
        assertSameDataset(dir.resolve("both_text_document"), FIXTURES.resolve("neox20b_text_document"));
    }

    @Test
    void badOptionsAreRefused() {
        assertThatThrownBy(() -> PreprocessOptions.defaults().withKeys(List.of())).hasMessageContaining("at least one");
        assertThatThrownBy(() -> PreprocessOptions.defaults().withKeys(List.of("a", "a"))).hasMessageContaining("twice");
        assertThatThrownBy(() -> PreprocessOptions.defaults().withWorkers(0)).hasMessageContaining("workers");
    }
}
