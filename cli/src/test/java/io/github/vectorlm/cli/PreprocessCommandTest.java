package io.github.vectorlm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code vectorlm preprocess} and {@code merge-datasets} against GPT-NeoX's own output (corpus fixtures). */
class PreprocessCommandTest {
    private static final Path FIXTURES = Cli.HOME.resolve("corpus/src/test/resources/preprocess");
    private static final String NEOX_TOKENIZER = Cli.HOME.resolve("generation/src/test/resources/tokenizers/20B_tokenizer.json")
            .toString();

    private static void assertSameFiles(Path actualPrefix, Path expectedPrefix) throws IOException {
        for (String ext : new String[] {".bin", ".idx"}) {
            assertThat(Files.readAllBytes(Path.of(actualPrefix + ext))).as(actualPrefix + ext)
                    .isEqualTo(Files.readAllBytes(Path.of(expectedPrefix + ext)));
        }
    }

    @Test
    void writesWhatGptNeoxWritesAndMergesIt(@TempDir Path dir) throws IOException {
        Cli.Result r = Cli.run("preprocess", "--input", FIXTURES.resolve("docs.jsonl.xz").toString(), "--tokenizer",
                NEOX_TOKENIZER, "--append-eod", "--workers", "2", "--output-prefix", dir.resolve("pile").toString(), "--json")
                .assertSuccess();
        assertThat(r.json().get("documents").asLong()).isEqualTo(45);
        assertThat(r.json().get("outputs").get("text").asText()).isEqualTo(dir.resolve("pile_text_document").toString());
        assertSameFiles(dir.resolve("pile_text_document"), FIXTURES.resolve("neox20b_text_document"));

        Path parts = Files.createDirectory(dir.resolve("parts"));
        for (String name : new String[] {"a.bin", "a.idx", "b.bin", "b.idx"}) {
            Files.copy(FIXTURES.resolve("neox20b_text_document" + name.substring(1)), parts.resolve(name));
        }
        String merged = Cli.run("merge-datasets", "--output-prefix", dir.resolve("merged").toString(), parts.toString())
                .assertSuccess().out();
        assertThat(merged).startsWith("merged 2 datasets: 90 documents");
        byte[] one = Files.readAllBytes(FIXTURES.resolve("neox20b_text_document.bin"));
        byte[] both = Files.readAllBytes(dir.resolve("merged.bin"));
        assertThat(both).hasSize(2 * one.length).startsWith(one).endsWith(one);
    }

    @Test
    void badInputIsOneClearLine(@TempDir Path dir) throws IOException {
        Path corpus = dir.resolve("c.jsonl");
        Files.writeString(corpus, "{\"text\": \"ok\"}\n{\"body\": \"x\"}\n");
        String out = dir.resolve("o").toString();
        assertThat(Cli.run("preprocess", "--input", corpus.toString(), "--tokenizer", NEOX_TOKENIZER, "--output-prefix", out)
                .assertOneLineError(1).err()).contains(corpus + ":2: no key \"text\"");
        Cli.Result skipped = Cli.run("preprocess", "--input", corpus.toString(), "--tokenizer", NEOX_TOKENIZER,
                "--output-prefix", out, "--skip-bad-lines").assertSuccess();
        assertThat(skipped.out()).startsWith("1 documents");
        assertThat(skipped.err()).contains("skipped 1 bad line; the first: " + corpus + ":2:");
        Cli.run("preprocess", "--input", dir.resolve("missing.jsonl").toString(), "--tokenizer", NEOX_TOKENIZER,
                "--output-prefix", out).assertOneLineError(1);
        assertThat(Cli.run("merge-datasets", "--output-prefix", out, dir.resolve("nothing").toString())
                .assertOneLineError(1).err()).contains("nothing.idx");
        Cli.run("preprocess", "--input", corpus.toString(), "--output-prefix", out).assertOneLineError(2);
    }
}
