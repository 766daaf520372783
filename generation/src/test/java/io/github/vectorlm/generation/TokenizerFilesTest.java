package io.github.vectorlm.generation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading, finding, and refusing tokenizer files. */
class TokenizerFilesTest {
    @TempDir
    Path dir;

    /** A small byte-level BPE tokenizer.json with the given model, pre-tokenizer and extra top-level fields. */
    private Path tokenizerJson(String model, String preTokenizer, String extra) throws IOException {
        Path file = dir.resolve("tokenizer.json");
        Files.writeString(file, """
                {"version": "1.0", "added_tokens": [], "normalizer": null,
                 "pre_tokenizer": %s, "post_processor": null,
                 "decoder": {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true},
                 %s
                 "model": %s}
                """.formatted(preTokenizer, extra, model));
        return file;
    }

    private static final String BYTE_LEVEL = "{\"type\": \"ByteLevel\", \"add_prefix_space\": false, \"trim_offsets\": true}";
    private static final String GOOD_MODEL = "{\"type\": \"BPE\", \"vocab\": {\"a\": 0, \"b\": 1, \"ab\": 2, \"Ġ\": 3}, \"merges\": [\"a b\"]}";

    @Test
    void aSmallFileWorks() throws IOException {
        BytePairEncoder t = Tokenizers.loadHuggingFace(tokenizerJson(GOOD_MODEL, BYTE_LEVEL, ""));
        assertThat(t.encode("ab ba")).containsExactly(2, 3, 1, 0);
        assertThat(t.decode(new int[] {2, 3, 1, 0})).isEqualTo("ab ba");
        assertThat(t.vocabSize()).isEqualTo(4);
        assertThat(t.endOfText()).isEmpty();
        // bytes without a token are dropped before merging, as Hugging Face (tokenizers 0.23) does without an unk_token
        assertThat(t.encode("axb")).containsExactly(2);
    }

    @Test
    void listFormMergesWork() throws IOException {
        String model = "{\"type\": \"BPE\", \"vocab\": {\"a\": 0, \"b\": 1, \"ab\": 2}, \"merges\": [[\"a\", \"b\"]]}";
        assertThat(Tokenizers.loadHuggingFace(tokenizerJson(model, BYTE_LEVEL, "")).encode("ab")).containsExactly(2);
    }

    @Test
    void missingMergesAreRefused() throws IOException {
        Path file = tokenizerJson("{\"type\": \"BPE\", \"vocab\": {\"a\": 0}}", BYTE_LEVEL, "");
        assertThatThrownBy(() -> Tokenizers.loadHuggingFace(file)).isInstanceOf(TokenizerFileException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("merges");
    }

    @Test
    void malformedJsonIsRefusedWithItsPlace() throws IOException {
        Path file = dir.resolve("tokenizer.json");
        Files.writeString(file, "{\"model\": {\"type\": \"BPE\",\n \"vocab\": {\"a\": 0,,}}}");
        assertThatThrownBy(() -> Tokenizers.loadHuggingFace(file)).isInstanceOf(TokenizerFileException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("malformed JSON").hasMessageContaining("line 2");
    }

    @Test
    void wordPieceIsRefused() throws IOException {
        Path file = tokenizerJson("{\"type\": \"WordPiece\", \"vocab\": {\"a\": 0}, \"unk_token\": \"[UNK]\"}", BYTE_LEVEL, "");
        assertThatThrownBy(() -> Tokenizers.loadHuggingFace(file)).isInstanceOf(TokenizerFileException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("unsupported model type \"WordPiece\"");
    }

    @Test
    void unknownPreTokenizerIsRefused() throws IOException {
        Path file = tokenizerJson(GOOD_MODEL, "{\"type\": \"Whitespace\"}", "");
        assertThatThrownBy(() -> Tokenizers.loadHuggingFace(file)).isInstanceOf(TokenizerFileException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("unsupported pre_tokenizer \"Whitespace\"");
        Path seq = tokenizerJson(GOOD_MODEL, "{\"type\": \"Sequence\", \"pretokenizers\": [{\"type\": \"Digits\"}, " + BYTE_LEVEL + "]}", "");
        assertThatThrownBy(() -> Tokenizers.loadHuggingFace(seq)).isInstanceOf(TokenizerFileException.class)
                .hasMessageContaining("[Digits, ByteLevel]");
    }

    @Test
    void unknownNormalizerIsRefused() throws IOException {
        Path file = dir.resolve("tokenizer.json");
        Files.writeString(file, Files.readString(tokenizerJson(GOOD_MODEL, BYTE_LEVEL, ""))
                .replace("\"normalizer\": null", "\"normalizer\": {\"type\": \"Lowercase\"}"));
        assertThatThrownBy(() -> Tokenizers.loadHuggingFace(file)).isInstanceOf(TokenizerFileException.class)
                .hasMessageContaining("unsupported normalizer \"Lowercase\"");
    }

    @Test
    void aPostProcessorThatAddsTokensIsRefused() throws IOException {
        Path file = tokenizerJson(GOOD_MODEL, BYTE_LEVEL, """
                "post_processor": {"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}},
                   {"Sequence": {"id": "A", "type_id": 0}}], "pair": [], "special_tokens": {}},""");
        String text = Files.readString(file).replace("\"post_processor\": null,", "");
        Files.writeString(file, text);
        assertThatThrownBy(() -> Tokenizers.loadHuggingFace(file)).isInstanceOf(TokenizerFileException.class)
                .hasMessageContaining("adds the token <s>");
    }

    @Test
    void aMergeOfUnknownTokensIsRefused() throws IOException {
        Path file = tokenizerJson("{\"type\": \"BPE\", \"vocab\": {\"a\": 0, \"b\": 1}, \"merges\": [\"a b\"]}", BYTE_LEVEL, "");
        assertThatThrownBy(() -> Tokenizers.loadHuggingFace(file)).isInstanceOf(TokenizerFileException.class)
                .hasMessageContaining("merge 0").hasMessageContaining("\"ab\", which is not in the vocabulary");
    }

    @Test
    void dropoutAndByteFallbackAreRefused() throws IOException {
        Path file = tokenizerJson("{\"type\": \"BPE\", \"dropout\": 0.1, \"vocab\": {\"a\": 0}, \"merges\": []}", BYTE_LEVEL, "");
        assertThatThrownBy(() -> Tokenizers.loadHuggingFace(file)).hasMessageContaining("BPE dropout");
        Path other = tokenizerJson("{\"type\": \"BPE\", \"byte_fallback\": true, \"vocab\": {\"a\": 0}, \"merges\": []}", BYTE_LEVEL, "");
        assertThatThrownBy(() -> Tokenizers.loadHuggingFace(other)).hasMessageContaining("byte_fallback");
    }

    @Test
    void aBadVocabularyIdIsRefused() throws IOException {
        Path file = tokenizerJson("{\"type\": \"BPE\", \"vocab\": {\"a\": -1}, \"merges\": []}", BYTE_LEVEL, "");
        assertThatThrownBy(() -> Tokenizers.loadHuggingFace(file)).hasMessageContaining("token \"a\" has id -1");
        Path twice = tokenizerJson("{\"type\": \"BPE\", \"vocab\": {\"a\": 0, \"b\": 0}, \"merges\": []}", BYTE_LEVEL, "");
        assertThatThrownBy(() -> Tokenizers.loadHuggingFace(twice)).hasMessageContaining("id 0 is given to two tokens");
    }

    @Test
    void badGpt2FilesAreRefused() throws IOException {
        Path encoder = dir.resolve("encoder.json");
        Path merges = dir.resolve("vocab.bpe");
        Files.writeString(encoder, "[1, 2]");
        Files.writeString(merges, "#version: 0.2\na b\n");
        assertThatThrownBy(() -> Tokenizers.loadGpt2(encoder, merges)).isInstanceOf(TokenizerFileException.class)
                .hasMessageContaining(encoder.toString()).hasMessageContaining("expected a JSON object");
        Files.writeString(encoder, "{\"a\": 0, \"b\": 1, \"ab\": 2}");
        Files.writeString(merges, "#version: 0.2\na b\nab\n");
        assertThatThrownBy(() -> Tokenizers.loadGpt2(encoder, merges)).isInstanceOf(TokenizerFileException.class)
                .hasMessageContaining(merges.toString()).hasMessageContaining("line 3");
        assertThatThrownBy(() -> Tokenizers.readGpt2Merges(merges)).isInstanceOf(TokenizerFileException.class)
                .hasMessageContaining(merges.toString()).hasMessageContaining("line 3");
        assertThatThrownBy(() -> Tokenizers.loadGpt2(encoder, merges, java.util.List.of("a b", "a  b")))
                .isInstanceOf(TokenizerFileException.class).hasMessageContaining("merge 1");
        Files.writeString(merges, "#version: 0.2\na b\n");
        assertThat(Tokenizers.readGpt2Merges(merges)).containsExactly("a b");
        assertThat(Tokenizers.loadGpt2(encoder, merges).encode("aab")).containsExactly(0, 2);
    }

    @Test
    void badGpt2EncodersAreRefusedNamingTheToken() throws IOException {
        Path encoder = dir.resolve("encoder.json");
        Path merges = dir.resolve("vocab.bpe");
        Files.writeString(merges, "#version: 0.2\n");
        Map<String, String> refusals = new LinkedHashMap<>();
        refusals.put("{\"a\": 0, \"b\": \"1\"}", "token \"b\" has id 1, expected an integer in [0, ");
        refusals.put("{\"a\": -1}", "token \"a\" has id -1");
        refusals.put("{\"a\": 1.5}", "token \"a\" has id 1.5");
        refusals.put("{\"a\": 4294967296}", "token \"a\" has id 4294967296");
        refusals.put("{\"a\": 16777216}", "token \"a\" has id 16777216");
        refusals.put("{\"a\": {\"b\": 1}}", "token \"a\" has id an object");
        refusals.put("{\"a\": [1]}", "token \"a\" has id an array");
        refusals.put("{\"a\": 0, \"b\": 0}", "id 0 is given to two tokens");
        refusals.put("{}", "empty vocabulary");
        refusals.put("", "empty file");
        refusals.put("\"a\"", "expected a JSON object of token → id, found a string");
        refusals.put("{\"a\": 0,\n \"b\" 1}", "malformed JSON");
        refusals.put("{\"a\": 0,\n \"b\": 1", "line 2");
        for (Map.Entry<String, String> refusal : refusals.entrySet()) {
            Files.writeString(encoder, refusal.getKey());
            assertThatThrownBy(() -> Tokenizers.loadGpt2(encoder, merges)).as(refusal.getKey())
                    .isInstanceOf(TokenizerFileException.class)
                    .hasMessageContaining(encoder.toString()).hasMessageContaining(refusal.getValue());
        }
        Files.writeString(encoder, "{\"a\": 7, \"a\": 0}");
        assertThat(Tokenizers.loadGpt2(encoder, merges).encode("a")).as("a name given twice keeps its last id")
                .containsExactly(0);
    }

    @Test
    void aTokenizerLoadedInTheBackgroundGivesTheSameResultOrError() throws IOException {
        Path folder = dir.resolve("model");
        Files.createDirectories(folder);
        assertThat(Tokenizers.forModelInBackground(folder, LoadOptions.defaults()).get()).isEmpty();
        Files.copy(TestFiles.gpt2Encoder(), folder.resolve("encoder.json"));
        assertThatThrownBy(() -> Tokenizers.forModelInBackground(folder, LoadOptions.defaults()).get())
                .isInstanceOf(TokenizerFileException.class).hasMessageContaining("vocab.bpe");
        Files.copy(TestFiles.gpt2Merges(), folder.resolve("vocab.bpe"));
        assertThat(Tokenizers.forModelInBackground(folder, LoadOptions.defaults()).get()).get()
                .satisfies(t -> assertThat(t.encode("Hello world")).containsExactly(15496, 995));
    }

    @Test
    void aPrefetchedTokenizerIsClaimedOnceByTheLoadOfTheSameFolder() throws IOException {
        Path folder = dir.resolve("prefetched");
        Path other = dir.resolve("other");
        for (Path f : List.of(folder, other)) {
            Files.createDirectories(f);
            Files.copy(TestFiles.gpt2Encoder(), f.resolve("encoder.json"));
            Files.copy(TestFiles.gpt2Merges(), f.resolve("vocab.bpe"));
        }
        Tokenizers.prefetch(folder, LoadOptions.defaults()).get(); // read, then the files go
        Files.delete(folder.resolve("encoder.json"));
        Files.delete(folder.resolve("vocab.bpe"));

        // the same folder, spelt another way: the read made before the files went is taken over
        assertThat(Tokenizers.forModelInBackground(folder.resolve("../prefetched"), LoadOptions.defaults()).get()).get()
                .satisfies(t -> assertThat(t.encode("Hello world")).containsExactly(15496, 995));
        // once only: the next load reads the folder as it is now
        assertThat(Tokenizers.forModelInBackground(folder, LoadOptions.defaults()).get()).isEmpty();

        // a load of another model drops an unclaimed prefetch and reads its own
        Files.copy(TestFiles.gpt2Encoder(), folder.resolve("encoder.json"));
        Tokenizers.prefetch(other, LoadOptions.defaults()).get();
        Files.delete(other.resolve("vocab.bpe"));
        assertThatThrownBy(() -> Tokenizers.forModelInBackground(folder, LoadOptions.defaults()).get())
                .isInstanceOf(TokenizerFileException.class).hasMessageContaining("vocab.bpe");
        assertThatThrownBy(() -> Tokenizers.forModelInBackground(other, LoadOptions.defaults()).get())
                .isInstanceOf(TokenizerFileException.class).hasMessageContaining("vocab.bpe");
    }

    @Test
    void findLooksForTheUsualNames() throws IOException {
        assertThat(Tokenizers.find(dir)).isEmpty();
        Files.copy(TestFiles.gpt2Encoder(), dir.resolve("encoder.json"));
        assertThatThrownBy(() -> Tokenizers.find(dir)).isInstanceOf(TokenizerFileException.class)
                .hasMessageContaining("vocab.bpe");
        Files.copy(TestFiles.gpt2Merges(), dir.resolve("vocab.bpe"));
        assertThat(Tokenizers.find(dir)).get().satisfies(t -> assertThat(t.vocabSize()).isEqualTo(50257));
        // a model file's folder is searched too
        Path weights = Files.writeString(dir.resolve("model.safetensors"), "x");
        assertThat(Tokenizers.find(weights)).get().satisfies(t -> assertThat(t.endOfText()).hasValue(50256));
        // NeoX's name wins over the GPT-2 pair
        Files.copy(TestFiles.neoxTokenizer(), dir.resolve("20B_tokenizer.json"));
        assertThat(Tokenizers.find(dir)).get().satisfies(t -> assertThat(t.vocabSize()).isEqualTo(50277));
        assertThat(Tokenizers.load(dir.resolve("vocab.bpe")).vocabSize()).isEqualTo(50257);
        assertThatThrownBy(() -> Tokenizers.find(dir.resolve("nothing-here"))).isInstanceOf(NoSuchFileException.class);
        // an explicit tokenizer file wins over what lies beside the model
        assertThat(Tokenizers.forModel(dir, LoadOptions.defaults().withTokenizer(TestFiles.gpt2Encoder())))
                .get().satisfies(t -> assertThat(t.vocabSize()).isEqualTo(50257));
        assertThat(Tokenizers.forModel(dir, LoadOptions.defaults())).get().satisfies(t -> assertThat(t.vocabSize()).isEqualTo(50277));
    }

    @Test
    void specialTokensAndVocabularyQueries() throws IOException {
        BytePairEncoder neox = Tokenizers.loadHuggingFace(TestFiles.neoxTokenizer());
        assertThat(neox.endOfText()).hasValue(0);
        assertThat(neox.tokenId("<|unk|>")).hasValue(1);
        assertThat(neox.tokenId("  ")).hasValue(50276);
        assertThat(neox.tokenId("Ġthe")).isPresent();
        assertThat(neox.tokenId("no such token")).isEmpty();
        assertThat(neox.tokenString(50276)).isEqualTo("  ");
        assertThat(neox.addedTokens()).hasSize(25);
        // ids without a token (nanoGPT's padded vocabulary) decode to nothing, as in Hugging Face
        assertThat(neox.decode(new int[] {50277, 60000, -1})).isEmpty();
    }
}
