package io.github.vectorlm.generation;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The byte-level BPE tokenizer a GGUF file carries in its metadata, as llama.cpp's converter writes
 * it for GPT-2 and GPT-NeoX ({@code tokenizer.ggml.model} "gpt2"): {@code tokenizer.ggml.tokens}
 * (id → byte-level token, as in {@code vocab.json}), {@code tokenizer.ggml.merges} ({@code "a b"}
 * by rank) and {@code tokenizer.ggml.token_type}. Reading the metadata is the model loader's (this
 * module does not depend on checkpoint-io); this class builds the tokenizer from the lists.
 *
 * <p>How it maps to a Hugging Face tokenizer: GPT-2's pre-tokenizer regex, no prefix space, no
 * normalizer (llama.cpp applies none for the "gpt-2" pre-tokenizer; the NeoX-20B tokenizer.json's
 * NFC is lost in the file, and changes nothing on text already in NFC); tokens of type CONTROL (3)
 * are special added tokens and USER_DEFINED (4) plain added tokens, both matched in the raw text,
 * as llama.cpp does; UNUSED (5) tokens (the converter's {@code [PAD…]} fillers) stay in the
 * vocabulary, where no merge produces them.
 *
 * <pre>{@code
 * Tokenizer t = GgufTokenizers.fromVocabulary(file, tokens, merges, types);
 * }</pre>
 */
public final class GgufTokenizers {
    /** {@code tokenizer.ggml.token_type}: a control token. */
    public static final int CONTROL = 3;
    /** {@code tokenizer.ggml.token_type}: a user-defined token. */
    public static final int USER_DEFINED = 4;

    private GgufTokenizers() {
    }

    /**
     * The tokenizer of a GGUF file's vocabulary.
     *
     * @param file the GGUF file, for error messages
     * @param tokens {@code tokenizer.ggml.tokens}: token {@code i} is id {@code i}
     * @param merges {@code tokenizer.ggml.merges}, {@code "left right"} by rank
     * @param types {@code tokenizer.ggml.token_type}, one per token, or null (all normal)
     * @return the tokenizer
     * @throws TokenizerFileException naming the file and the list entry that is wrong (a duplicate
     *     token, a merge that is not two tokens of the vocabulary, a type list of another length)
     */
    public static BytePairEncoder fromVocabulary(Path file, List<String> tokens, List<String> merges, List<Integer> types)
            throws IOException {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(tokens, "tokens");
        Objects.requireNonNull(merges, "merges");
        if (tokens.isEmpty()) {
            throw new TokenizerFileException(file, "tokenizer.ggml.tokens is empty");
        }
        if (types != null && types.size() != tokens.size()) {
            throw new TokenizerFileException(file, "tokenizer.ggml.token_type has " + types.size() + " entries for "
                    + tokens.size() + " tokens");
        }
        Map<String, Integer> vocab = new HashMap<>(tokens.size() * 2);
        List<AddedToken> added = new ArrayList<>();
        for (int id = 0; id < tokens.size(); id++) {
            String token = tokens.get(id);
            if (token == null || token.isEmpty()) {
                throw new TokenizerFileException(file, "tokenizer.ggml.tokens[" + id + "] is empty");
            }
            Integer previous = vocab.putIfAbsent(token, id);
            if (previous != null) {
                throw new TokenizerFileException(file, "tokenizer.ggml.tokens[" + id + "] repeats token " + previous
                        + " (\"" + token + "\")");
            }
            int type = types == null ? 1 : types.get(id);
            if (type == CONTROL) {
                added.add(AddedToken.special(id, token));
            } else if (type == USER_DEFINED) {
                added.add(new AddedToken(id, token, false, false, false, false, false));
            }
        }
        List<String[]> pairs = new ArrayList<>(merges.size());
        for (int i = 0; i < merges.size(); i++) {
            String m = merges.get(i);
            int space = m == null ? -1 : m.indexOf(' ');
            if (space <= 0 || space == m.length() - 1 || m.indexOf(' ', space + 1) >= 0) {
                throw new TokenizerFileException(file, "tokenizer.ggml.merges[" + i + "] is not \"left right\": \""
                        + m + "\"");
            }
            pairs.add(new String[] {m.substring(0, space), m.substring(space + 1)});
        }
        BpeModel model = Tokenizers.buildModel(file, file, vocab, pairs, null, false, false);
        return new BytePairEncoder(file + " (GGUF tokenizer.ggml.*)", model, TextNormalizer.IDENTITY, false, true, added);
    }
}
