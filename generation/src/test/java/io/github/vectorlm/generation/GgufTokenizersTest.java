package io.github.vectorlm.generation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

/**
 * GPT-2's real vocabulary as llama.cpp's converter writes it ({@code --vocab-only}, from
 * {@code models/gpt2-shakespeare}'s encoder.json + vocab.bpe; {@code tools/make_gguf_model_fixtures.py}):
 * the tokens and merges are read from the file here by a minimal GGUF walk (this module has no
 * GGUF reader; the model loaders use checkpoint-io's), and the tokenizer built from them must give
 * Hugging Face's ids and llama.cpp's ({@code llama_tokenize}) on tinyshakespeare plus some
 * non-ASCII text, and the same ids as the encoder.json tokenizer.
 */
class GgufTokenizersTest {
    private static final Path DIR = Path.of("src/test/resources/gguf-tokenizer");

    @Test
    void realGpt2VocabularyGivesTheIdsOfHuggingFaceAndLlamaCpp() throws Exception {
        byte[] gguf;
        try (InputStream in = new GZIPInputStream(Files.newInputStream(DIR.resolve("gpt2-vocab.gguf.gz")))) {
            gguf = in.readAllBytes();
        }
        MiniGguf meta = MiniGguf.read(gguf);
        assertThat(meta.strings.get("tokenizer.ggml.model")).isEqualTo("gpt2");
        BytePairEncoder t = GgufTokenizers.fromVocabulary(DIR.resolve("gpt2-vocab.gguf"), meta.tokens, meta.merges, meta.types);
        JsonNode expected = new ObjectMapper().readTree(DIR.resolve("gpt2-ids.json").toFile());
        String text = expected.get("text").asText();
        int[] ids = t.encode(text);
        assertThat(ids).containsExactly(ints(expected.get("hf_ids")));
        // llama_tokenize ran without special-token parsing: the final <|endoftext|> is spelled out there
        int[] llama = ints(expected.get("llama_ids"));
        int plain = ids.length - 1;
        assertThat(java.util.Arrays.copyOf(llama, plain)).containsExactly(java.util.Arrays.copyOf(ids, plain));
        assertThat(t.decode(java.util.Arrays.copyOfRange(llama, plain, llama.length))).isEqualTo("<|endoftext|>");
        assertThat(t.decode(ids)).isEqualTo(text);
        assertThat(t.endOfText()).hasValue(50256);
        Tokenizer reference = Tokenizers.loadGpt2(Path.of("../models/gpt2-shakespeare/encoder.json"),
                Path.of("../models/gpt2-shakespeare/vocab.bpe"));
        assertThat(ids).containsExactly(reference.encode(text));
    }

    @Test
    void badVocabulariesAreRefusedNamingTheEntry() {
        Path f = Path.of("x.gguf");
        assertThatThrownBy(() -> GgufTokenizers.fromVocabulary(f, List.of("a", "a"), List.of(), null))
                .isInstanceOf(TokenizerFileException.class).hasMessageContaining("x.gguf")
                .hasMessageContaining("tokenizer.ggml.tokens[1] repeats token 0");
        assertThatThrownBy(() -> GgufTokenizers.fromVocabulary(f, List.of("a", "b", "ab"), List.of("ab"), null))
                .isInstanceOf(TokenizerFileException.class).hasMessageContaining("tokenizer.ggml.merges[0]");
        assertThatThrownBy(() -> GgufTokenizers.fromVocabulary(f, List.of("a", "b"), List.of("a c"), null))
                .isInstanceOf(TokenizerFileException.class).hasMessageContaining("not in the vocabulary");
        assertThatThrownBy(() -> GgufTokenizers.fromVocabulary(f, List.of("a", "b"), List.of(), List.of(1)))
                .isInstanceOf(TokenizerFileException.class).hasMessageContaining("token_type has 1 entries for 2 tokens");
    }

    private static int[] ints(JsonNode a) {
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).intValue();
        }
        return out;
    }

    /** The string, string-array and int-array metadata of a little-endian GGUF v3 file. */
    private static final class MiniGguf {
        final java.util.Map<String, String> strings = new java.util.HashMap<>();
        List<String> tokens;
        List<String> merges;
        List<Integer> types;

        static MiniGguf read(byte[] bytes) {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            assertThat(b.getInt()).isEqualTo(0x46554747);
            b.getInt();
            b.getLong();
            long kv = b.getLong();
            MiniGguf m = new MiniGguf();
            for (long i = 0; i < kv; i++) {
                String key = string(b);
                int type = b.getInt();
                if (type == 8) {
                    m.strings.put(key, string(b));
                } else if (type == 9) {
                    int element = b.getInt();
                    int n = (int) b.getLong();
                    List<String> s = new ArrayList<>();
                    List<Integer> v = new ArrayList<>();
                    for (int j = 0; j < n; j++) {
                        if (element == 8) {
                            s.add(string(b));
                        } else if (element == 5) {
                            v.add(b.getInt());
                        } else {
                            throw new AssertionError("array of type " + element);
                        }
                    }
                    switch (key) {
                        case "tokenizer.ggml.tokens" -> m.tokens = s;
                        case "tokenizer.ggml.merges" -> m.merges = s;
                        case "tokenizer.ggml.token_type" -> m.types = v;
                        default -> { }
                    }
                } else {
                    int size = switch (type) {
                        case 0, 1, 7 -> 1;
                        case 2, 3 -> 2;
                        case 4, 5, 6 -> 4;
                        default -> 8;
                    };
                    b.position(b.position() + size);
                }
            }
            return m;
        }

        private static String string(java.nio.ByteBuffer b) {
            byte[] s = new byte[(int) b.getLong()];
            b.get(s);
            return new String(s, StandardCharsets.UTF_8);
        }
    }
}
