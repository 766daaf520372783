package io.github.vectorlm.decoder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.vectorlm.checkpoint.GgufWriter;
import io.github.vectorlm.generation.AddedToken;
import io.github.vectorlm.generation.BytePairEncoder;
import io.github.vectorlm.generation.TokenizerFileException;
import io.github.vectorlm.generation.Tokenizers;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * A model's tokenizer as the exports write it: a Hugging Face {@code tokenizer.json} (copied as it
 * is, or built from OpenAI's {@code encoder.json} + {@code vocab.bpe} as Hugging Face's GPT-2
 * {@code tokenizer.json} is), and the GGUF vocabulary llama.cpp's converter makes from that file.
 * Each form is made from what was read when it is asked for: a GGUF export of OpenAI's files never
 * builds the JSON (building and re-reading it was a third of a cold GPT-2 Q8_0 export).
 */
final class TokenizerExport {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The text llama.cpp's {@code get_vocab_base_pre} encodes; the SHA-256 of the ids, printed as a
     * Python list, names the pre-tokenizer.
     */
    static final String CHECK_TEXT = "\n \n\n \n\n\n \t \t\t \t\n  \n   \n    \n     \n\ud83d\ude80 (normal) \ud83d\ude36\u200d\ud83c\udf2b\ufe0f (multiple emojis concatenated) \u2705 \ud83e\udd99\ud83e\udd99 3 33 333 3333 33333 333333 3333333 33333333 3.3 3..3 3...3 \u1780\u17b6\u1793\u17cb\u178f\u17c2\u1796\u17b7\u179f\u17c1\u179f\u17a2\u17b6\u1785\ud83d\ude01 ?\u6211\u60f3\u5728apple\u5de5\u4f5c1314151\u5929\uff5e ------======= \u043d\u0435\u0449\u043e \u043d\u0430 \u0411\u044a\u043b\u0433\u0430\u0440\u0441\u043a\u0438 ''''''```````\"\"\"\"......!!!!!!?????? I've been 'told he's there, 'RE you sure? 'M not sure I'll make it, 'D you like some tea? We'Ve a'lL";

    /** {@code tokenizer.ggml.pre} by that hash, as the converter at c392e50 knows them (the last match wins there). */
    private static final Map<String, String> PRE_TOKENIZERS = Map.of(
            "3ce83efda5659b07b1ad37ca97ca5797ea4285d9b9ab0dc679e4a720c9da7454", "gpt-2",
            // GPT-NeoX's tokenizer (Pythia, the 20B, MPT, OLMo): "mpt" matches first, "olmo" last
            "b6dc8df998e1cfbdc4eac8243701a65afe638679230920b50d6f17d81c098166", "olmo");

    /** GGUF token types ({@code gguf.TokenType}). */
    static final int NORMAL = 1;
    static final int CONTROL = 3;
    static final int USER_DEFINED = 4;
    static final int UNUSED = 5;

    private final Path source;
    private final BytePairEncoder tokenizer;
    /** The {@code tokenizer.json} bytes as read; null for OpenAI's files until {@link #json()} builds them. */
    private byte[] json;
    /** The merges as GGUF lists them ({@code "left right"}, by rank); null until {@link #ggufMerges()} reads them. */
    private List<String> merges;

    private TokenizerExport(Path source, BytePairEncoder tokenizer, byte[] json, List<String> merges) {
        this.source = source;
        this.tokenizer = tokenizer;
        this.json = json;
        this.merges = merges;
    }

    /** The id of {@code <|endoftext|>}, or -1. */
    int endOfText() {
        return tokenizer.endOfText().orElse(-1);
    }

    /**
     * The tokenizer to export: {@code explicit} if given, else the one in {@code folder}
     * ({@code tokenizer.json}, {@code 20B_tokenizer.json}, or {@code encoder.json} with
     * {@code vocab.bpe}); null if there is none.
     */
    static TokenizerExport find(Path explicit, Path folder) throws IOException {
        if (explicit != null) {
            if (!Files.isRegularFile(explicit)) {
                throw new NoSuchFileException(explicit.toString(), null, "the tokenizer file given");
            }
            String name = explicit.getFileName().toString();
            if (name.equals("encoder.json") || name.equals("vocab.bpe")) {
                Path dir = explicit.toAbsolutePath().getParent();
                return fromGpt2(dir.resolve("encoder.json"), dir.resolve("vocab.bpe"));
            }
            return copy(explicit);
        }
        if (folder == null) {
            return null;
        }
        for (String name : List.of("tokenizer.json", "20B_tokenizer.json")) {
            if (Files.isRegularFile(folder.resolve(name))) {
                return copy(folder.resolve(name));
            }
        }
        Path encoder = folder.resolve("encoder.json");
        Path merges = folder.resolve("vocab.bpe");
        if (Files.isRegularFile(encoder) && Files.isRegularFile(merges)) {
            return fromGpt2(encoder, merges);
        }
        return null;
    }

    private static TokenizerExport copy(Path file) throws IOException {
        BytePairEncoder check = Tokenizers.loadHuggingFace(file); // refuses what the loaders would refuse
        return new TokenizerExport(file, check, Files.readAllBytes(file), null);
    }

    /** OpenAI's files: the tokenizer they load to, and {@code vocab.bpe}'s merges as written. */
    static TokenizerExport fromGpt2(Path encoderJson, Path vocabBpe) throws IOException {
        List<String> merges = Tokenizers.readGpt2Merges(vocabBpe);
        BytePairEncoder check = Tokenizers.loadGpt2(encoderJson, vocabBpe, merges); // validates both files
        return new TokenizerExport(encoderJson.getParent(), check, null, merges);
    }

    /**
     * The {@code tokenizer.json} bytes: the file as read, or for OpenAI's files Hugging Face's GPT-2
     * {@code tokenizer.json}: byte-level BPE, the vocabulary in id order, the merges as
     * {@code "left right"} strings by rank, {@code <|endoftext|>} a special added token, ByteLevel
     * pre-tokenizer, post-processor and decoder.
     */
    byte[] json() throws IOException {
        if (json != null) {
            return json;
        }
        ObjectNode root = JSON.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        int eot = endOfText();
        if (eot >= 0) {
            ObjectNode t = added.addObject();
            t.put("id", eot);
            t.put("content", "<|endoftext|>");
            t.put("single_word", false);
            t.put("lstrip", false);
            t.put("rstrip", false);
            t.put("normalized", true);
            t.put("special", true);
        }
        root.putNull("normalizer");
        root.set("pre_tokenizer", byteLevel(false, true));
        root.set("post_processor", byteLevel(true, false));
        root.set("decoder", byteLevel(true, true));
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE");
        model.putNull("dropout");
        model.putNull("unk_token");
        model.put("continuing_subword_prefix", "");
        model.put("end_of_word_suffix", "");
        model.put("fuse_unk", false);
        model.put("byte_fallback", false);
        model.put("ignore_merges", false);
        ObjectNode vocab = model.putObject("vocab");
        for (int id = 0; id < tokenizer.vocabSize(); id++) {
            String token = tokenizer.tokenString(id);
            if (token != null) {
                vocab.put(token, id);
            }
        }
        ArrayNode mergeList = model.putArray("merges");
        for (String m : merges) {
            mergeList.add(m);
        }
        // the same tokenizer: GPT-2's byte-level BPE, <|endoftext|> special (the tests check the ids on real text)
        json = JSON.writeValueAsBytes(root);
        return json;
    }

    /** The merges as the converter lists them: {@code tokenizer.json}'s read when first asked for. */
    private List<String> ggufMerges() throws IOException {
        if (merges == null) {
            List<String> list = new ArrayList<>();
            for (JsonNode m : JSON.readTree(json).path("model").path("merges")) {
                if (m.isArray()) {
                    // the pair form of tokenizers >= 0.20; gguf-py writes spaces inside a part as U+0120
                    list.add(m.get(0).asText().replace(' ', '\u0120') + " " + m.get(1).asText().replace(' ', '\u0120'));
                } else {
                    list.add(m.asText());
                }
            }
            merges = list;
        }
        return merges;
    }

    private static ObjectNode byteLevel(boolean addPrefixSpace, boolean trimOffsets) {
        ObjectNode n = JSON.createObjectNode();
        n.put("type", "ByteLevel");
        n.put("add_prefix_space", addPrefixSpace);
        n.put("trim_offsets", trimOffsets);
        n.put("use_regex", true);
        return n;
    }

    /**
     * Puts the vocabulary into GGUF metadata as the converter's {@code _set_vocab_gpt2} does:
     * {@code tokenizer.ggml.model} "gpt2", {@code .pre} (from the hash of {@link #CHECK_TEXT}'s ids),
     * {@code .tokens} (every id below {@code vocabSize}, {@code [PADn]} where the tokenizer has none),
     * {@code .token_type}, {@code .merges}; the special ids are the caller's (they come from
     * {@code config.json}).
     *
     * @throws TokenizerFileException if the pre-tokenizer is none llama.cpp knows, or an id is out of range
     */
    void putGguf(GgufWriter.Metadata md, int vocabSize) throws IOException {
        String[] tokens = new String[vocabSize];
        int[] types = new int[vocabSize];
        for (int id = 0; id < tokenizer.vocabSize(); id++) {
            String token = tokenizer.tokenString(id);
            if (token != null) {
                place(tokens, types, id, token, NORMAL);
            }
        }
        for (AddedToken t : tokenizer.addedTokens()) {
            boolean special = t.special() || looksSpecial(t.content());
            place(tokens, types, t.id(), t.content(), special ? CONTROL : USER_DEFINED);
        }
        List<String> tokenList = new ArrayList<>(vocabSize);
        for (int i = 0; i < vocabSize; i++) {
            if (tokens[i] == null) {
                tokens[i] = "[PAD" + i + "]";
                types[i] = UNUSED;
            }
            tokenList.add(tokens[i]);
        }
        md.putString(GgufNames.TOKENIZER_MODEL, "gpt2");
        md.putString(GgufNames.TOKENIZER_PRE, preTokenizer());
        md.putStringArray(GgufNames.TOKENIZER_TOKENS, tokenList);
        md.putInt32Array(GgufNames.TOKENIZER_TOKEN_TYPE, types);
        md.putStringArray(GgufNames.TOKENIZER_MERGES, ggufMerges());
    }

    private void place(String[] tokens, int[] types, int id, String token, int type) throws TokenizerFileException {
        if (id < 0 || id >= tokens.length) {
            throw new TokenizerFileException(source, "token '" + token + "' has id " + id
                    + ", outside the model's vocabulary of " + tokens.length);
        }
        tokens[id] = token;
        types[id] = type;
    }

    /** The converter's {@code does_token_look_special}, for the token forms byte-level BPE has. */
    private static boolean looksSpecial(String token) {
        return token.equals("<pad>") || token.equals("<mask>") || token.startsWith("<|") && token.endsWith("|>")
                || token.startsWith("<unused") && token.endsWith(">");
    }

    /** {@code tokenizer.ggml.pre}: the name llama.cpp's converter gives this tokenizer's pre-tokenizer. */
    String preTokenizer() throws IOException {
        try {
            int[] ids = tokenizer.encode(CHECK_TEXT);
            StringBuilder list = new StringBuilder("[");
            for (int i = 0; i < ids.length; i++) {
                list.append(i == 0 ? "" : ", ").append(ids[i]);
            }
            String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(list.append(']').toString().getBytes(StandardCharsets.UTF_8)));
            String pre = PRE_TOKENIZERS.get(hash);
            if (pre == null) {
                throw new TokenizerFileException(source, "its pre-tokenizer (hash " + hash + ") is not one llama.cpp's "
                        + "converter knows (GPT-2's, GPT-NeoX's): llama.cpp would not split text as this tokenizer does");
            }
            return pre;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

}
