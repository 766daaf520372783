package io.github.vectorlm.generation;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Loads {@link BytePairEncoder}s from the files models ship with.
 *
 * <pre>{@code
 * Tokenizer gpt2 = Tokenizers.loadGpt2(dir.resolve("encoder.json"), dir.resolve("vocab.bpe"));
 * Tokenizer neox = Tokenizers.loadHuggingFace(Path.of("20B_tokenizer.json"));
 * Optional<Tokenizer> beside = Tokenizers.find(modelFolder);
 * }</pre>
 *
 * <p>Supported in a Hugging Face {@code tokenizer.json}: model {@code BPE} (vocab; merges as
 * {@code "a b"} strings or {@code ["a", "b"]} pairs; {@code unk_token}, {@code fuse_unk},
 * {@code ignore_merges}); normalizer {@code null}, {@code NFC}, {@code NFD}, {@code NFKC},
 * {@code NFKD} or a {@code Sequence} of them; pre-tokenizer {@code ByteLevel}
 * ({@code add_prefix_space}, {@code use_regex}), alone or as the only member of a
 * {@code Sequence}; decoder {@code ByteLevel}; post-processor {@code null}, {@code ByteLevel}, or a
 * {@code TemplateProcessing} that adds no tokens; {@code added_tokens} with all their flags.
 * {@code truncation} and {@code padding} are ignored (whole texts are encoded). Anything else is
 * refused with a {@link TokenizerFileException} naming the file and the feature.
 */
public final class Tokenizers {
    /**
     * Largest tokenizer file read, in bytes ({@code tokenizer.json}, {@code encoder.json},
     * {@code vocab.bpe}): four times the largest public {@code tokenizer.json} (about 33 MB).
     */
    public static final long MAX_FILE_BYTES = 128L << 20;
    /** Deepest nesting of a tokenizer file's JSON objects and arrays (real ones nest under 8 deep). */
    public static final int MAX_NESTING_DEPTH = 64;
    /** Ids above this are refused: they would make lookup tables absurdly large. */
    static final int MAX_ID = 1 << 24;
    private static final String END_OF_TEXT = "<|endoftext|>";
    /**
     * Reads tokenizer files. Field names are neither interned nor canonicalized: a vocabulary is
     * tens of thousands of distinct keys read once, and interning them tripled the time of a cold
     * start's tokenizer load (640 against 240 ms for GPT-2's encoder.json).
     */
    private static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder()
            .disable(JsonFactory.Feature.INTERN_FIELD_NAMES)
            .disable(JsonFactory.Feature.CANONICALIZE_FIELD_NAMES)
            // set deliberately, not left to Jackson's defaults: tokens are short, nesting shallow
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_NESTING_DEPTH)
                    .maxStringLength(1 << 24)
                    .maxNameLength(1 << 16)
                    .maxNumberLength(100)
                    .build())
            .build());

    private Tokenizers() {
    }

    /**
     * OpenAI's GPT-2 files: {@code encoder.json} (token → id) and {@code vocab.bpe} (a
     * {@code #version} line, then one merge {@code "a b"} per line, by rank). {@code <|endoftext|>},
     * if the vocabulary has it, is a special token: written in text, it becomes its id (as in
     * Hugging Face's {@code GPT2TokenizerFast}; OpenAI's own encoder would spell it out).
     */
    public static BytePairEncoder loadGpt2(Path encoderJson, Path vocabBpe) throws IOException {
        return loadGpt2(encoderJson, vocabBpe, readGpt2Merges(vocabBpe));
    }

    /**
     * {@link #loadGpt2(Path, Path)} with {@code vocab.bpe}'s merges already read by
     * {@link #readGpt2Merges} (a caller that needs them as written reads the file once).
     *
     * @throws TokenizerFileException if a merge is not {@code "left right"}, or as the other loader
     */
    public static BytePairEncoder loadGpt2(Path encoderJson, Path vocabBpe, List<String> mergeLines)
            throws IOException {
        Map<String, Integer> vocab = readEncoder(encoderJson);
        List<String[]> merges = new ArrayList<>(mergeLines.size());
        for (String line : mergeLines) {
            String[] parts = line.split(" ", -1);
            if (parts.length != 2 || parts[0].isEmpty() || parts[1].isEmpty()) {
                throw new TokenizerFileException(vocabBpe, "merge " + merges.size() + ": expected \"left right\", found \""
                        + abbreviate(line) + "\"");
            }
            merges.add(parts);
        }
        BpeModel model = buildModel(encoderJson, vocabBpe, vocab, merges, null, false, false);
        List<AddedToken> added = new ArrayList<>();
        Integer eot = vocab.get(END_OF_TEXT);
        if (eot != null) {
            added.add(AddedToken.special(eot, END_OF_TEXT));
        }
        return new BytePairEncoder(encoderJson.getParent() + " (encoder.json, vocab.bpe)", model,
                TextNormalizer.IDENTITY, false, true, added);
    }

    /**
     * {@code vocab.bpe}'s merges by rank, each line {@code "left right"} as written (a first
     * {@code #version} line and empty lines left out).
     *
     * @throws TokenizerFileException naming the line that is not a merge
     */
    public static List<String> readGpt2Merges(Path vocabBpe) throws IOException {
        List<String> merges = new ArrayList<>();
        List<String> lines = readLines(vocabBpe);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (i == 0 && line.startsWith("#version") || line.isEmpty()) {
                continue;
            }
            int space = line.indexOf(' ');
            if (space <= 0 || space == line.length() - 1 || line.indexOf(' ', space + 1) >= 0) {
                throw new TokenizerFileException(vocabBpe, "line " + (i + 1) + ": expected a merge \"left right\", found \""
                        + abbreviate(line) + "\"");
            }
            merges.add(line);
        }
        return merges;
    }

    /** A Hugging Face {@code tokenizer.json} (such as GPT-NeoX's {@code 20B_tokenizer.json}); see the class comment for what is supported. */
    public static BytePairEncoder loadHuggingFace(Path tokenizerJson) throws IOException {
        Path file = tokenizerJson;
        JsonNode root = readJson(file);
        if (!root.isObject()) {
            throw new TokenizerFileException(file, "expected a JSON object, found " + root.getNodeType());
        }
        JsonNode model = root.path("model");
        if (!model.isObject()) {
            throw new TokenizerFileException(file, "no \"model\" object: not a Hugging Face tokenizer.json");
        }
        String type = model.path("type").asText(model.has("merges") ? "BPE" : "");
        if (!type.equals("BPE")) {
            throw new TokenizerFileException(file, "unsupported model type \"" + (type.isEmpty() ? "(none)" : type)
                    + "\": VectorLM reads byte-level BPE tokenizers only");
        }
        TokenizerJsonParts.checkUnsupported(file, model, "dropout", n -> n.isNull() || n.isNumber() && n.asDouble() == 0.0, "BPE dropout");
        TokenizerJsonParts.checkUnsupported(file, model, "continuing_subword_prefix", n -> n.isNull() || n.asText().isEmpty(), "BPE continuing_subword_prefix");
        TokenizerJsonParts.checkUnsupported(file, model, "end_of_word_suffix", n -> n.isNull() || n.asText().isEmpty(), "BPE end_of_word_suffix");
        TokenizerJsonParts.checkUnsupported(file, model, "byte_fallback", n -> n.isNull() || !n.asBoolean(), "BPE byte_fallback");
        JsonNode vocabNode = model.path("vocab");
        if (!vocabNode.isObject()) {
            throw new TokenizerFileException(file, "model has no \"vocab\" object");
        }
        Map<String, Integer> vocab = readVocab(file, vocabNode, "model.vocab: ");
        JsonNode mergesNode = model.path("merges");
        if (!mergesNode.isArray()) {
            throw new TokenizerFileException(file, "model has no \"merges\" list (BPE needs its merges)");
        }
        List<String[]> merges = new ArrayList<>(mergesNode.size());
        for (int i = 0; i < mergesNode.size(); i++) {
            merges.add(readMerge(file, mergesNode.get(i), i));
        }
        String unk = model.path("unk_token").isTextual() ? model.path("unk_token").asText() : null;
        BpeModel bpe = buildModel(file, file, vocab, merges, unk, model.path("fuse_unk").asBoolean(false),
                model.path("ignore_merges").asBoolean(false));

        TextNormalizer normalizer = TokenizerJsonParts.readNormalizer(file, root.path("normalizer"));
        JsonNode byteLevel = TokenizerJsonParts.findByteLevelPreTokenizer(file, root.path("pre_tokenizer"));
        TokenizerJsonParts.checkDecoder(file, root.path("decoder"));
        TokenizerJsonParts.checkPostProcessor(file, root.path("post_processor"));
        List<AddedToken> added = TokenizerJsonParts.readAddedTokens(file, root.path("added_tokens"));
        return new BytePairEncoder(file.toString(), bpe, normalizer,
                byteLevel.path("add_prefix_space").asBoolean(true), byteLevel.path("use_regex").asBoolean(true), added);
    }

    /**
     * Loads a tokenizer file: {@code encoder.json} or {@code vocab.bpe} (with the other beside it),
     * any other file as a Hugging Face {@code tokenizer.json}; a folder as {@link #find}.
     */
    public static BytePairEncoder load(Path file) throws IOException {
        if (Files.isDirectory(file)) {
            return find(file).orElseThrow(() -> new TokenizerFileException(file,
                    "no tokenizer here: expected tokenizer.json, 20B_tokenizer.json, or encoder.json with vocab.bpe"));
        }
        if (!Files.exists(file)) {
            throw new NoSuchFileException(file.toString(), null, "tokenizer file not found");
        }
        String name = file.getFileName().toString();
        if (name.equals("encoder.json")) {
            return loadGpt2(file, sibling(file, "vocab.bpe"));
        }
        if (name.equals("vocab.bpe")) {
            return loadGpt2(sibling(file, "encoder.json"), file);
        }
        return loadHuggingFace(file);
    }

    /**
     * The tokenizer in a folder, or of a model file's folder: {@code tokenizer.json}, else
     * {@code 20B_tokenizer.json}, else {@code encoder.json} with {@code vocab.bpe}. Empty if none of
     * them is there; an error if one is there but cannot be read, or only half of the GPT-2 pair is.
     */
    public static Optional<BytePairEncoder> find(Path folderOrFile) throws IOException {
        Path folder = folderOrFile;
        if (!Files.isDirectory(folderOrFile)) {
            if (!Files.exists(folderOrFile)) {
                throw new NoSuchFileException(folderOrFile.toString());
            }
            String name = folderOrFile.getFileName().toString();
            if (name.equals("tokenizer.json") || name.equals("20B_tokenizer.json") || name.equals("encoder.json")
                    || name.equals("vocab.bpe")) {
                return Optional.of(load(folderOrFile));
            }
            folder = folderOrFile.toAbsolutePath().getParent();
        }
        for (String name : List.of("tokenizer.json", "20B_tokenizer.json")) {
            Path candidate = folder.resolve(name);
            if (Files.isRegularFile(candidate)) {
                return Optional.of(loadHuggingFace(candidate));
            }
        }
        Path encoder = folder.resolve("encoder.json");
        Path merges = folder.resolve("vocab.bpe");
        boolean hasEncoder = Files.isRegularFile(encoder);
        boolean hasMerges = Files.isRegularFile(merges);
        if (hasEncoder && hasMerges) {
            return Optional.of(loadGpt2(encoder, merges));
        }
        if (hasEncoder || hasMerges) {
            Path present = hasEncoder ? encoder : merges;
            throw new TokenizerFileException(present, "found without its partner " + (hasEncoder ? "vocab.bpe" : "encoder.json")
                    + " in " + folder + ": GPT-2's tokenizer needs both");
        }
        return Optional.empty();
    }

    /**
     * The tokenizer for a model at {@code modelPath}: the file {@link LoadOptions#tokenizer()} names
     * if set (which must load), else whatever {@link #find} finds beside the weights.
     */
    public static Optional<BytePairEncoder> forModel(Path modelPath, LoadOptions options) throws IOException {
        if (options.tokenizer() != null) {
            return Optional.of(load(options.tokenizer()));
        }
        return find(modelPath);
    }

    /**
     * Starts {@link #forModel} on a background thread and returns at once: a model loader reads the
     * tokenizer's files while it maps the weights (on a cold start the two take about as long as
     * each other, 150 to 300 ms for GPT-2). {@link PendingTokenizer#get()} waits for the result.
     */
    public static PendingTokenizer forModelInBackground(Path modelPath, LoadOptions options) {
        Prefetch prefetched = PREFETCHED.getAndSet(null);
        if (prefetched != null && prefetched.key().equals(prefetchKey(modelPath, options))) {
            return new PendingTokenizer(prefetched.task());
        }
        return new PendingTokenizer(startInBackground(modelPath, options));
    }

    /**
     * Starts reading, on a background thread, the tokenizer that {@link #forModel} would return
     * for {@code modelPath} and {@code options}, for the model load that is to follow: the next
     * {@link #forModelInBackground} call for the same tokenizer (the same folder searched, or the
     * same {@link LoadOptions#tokenizer()} file) takes this read over instead of starting its own,
     * once. For a program that knows which model it will load before it is ready to load it (the
     * command line, while it parses its options); a later prefetch replaces an unclaimed one, and
     * a load of another model drops it.
     *
     * @param modelPath the model folder or file, as it will be given to the loader
     * @param options the load options; only {@link LoadOptions#tokenizer()} matters here
     * @return the read under way (what the claiming load will get), for a caller that wants to wait
     */
    public static PendingTokenizer prefetch(Path modelPath, LoadOptions options) {
        FutureTask<Optional<BytePairEncoder>> task = startInBackground(modelPath, options);
        PREFETCHED.set(new Prefetch(prefetchKey(modelPath, options), task));
        return new PendingTokenizer(task);
    }

    private static FutureTask<Optional<BytePairEncoder>> startInBackground(Path modelPath, LoadOptions options) {
        FutureTask<Optional<BytePairEncoder>> task = new FutureTask<>(() -> forModel(modelPath, options));
        Thread.ofPlatform().daemon().name("vectorlm-tokenizer-load").start(task);
        return task;
    }

    /** A tokenizer read ahead by {@link #prefetch}, for the load of {@code key}. */
    private record Prefetch(Path key, Future<Optional<BytePairEncoder>> task) {
    }

    /** The one read ahead that no load has claimed yet, or null. */
    private static final AtomicReference<Prefetch> PREFETCHED = new AtomicReference<>();

    /**
     * What decides which tokenizer {@link #forModel} reads: the tokenizer file when one is given,
     * else the folder {@link #find} searches (a file's folder, unless the file is a tokenizer's).
     */
    private static Path prefetchKey(Path modelPath, LoadOptions options) {
        Path key = options.tokenizer() != null ? options.tokenizer() : modelPath;
        if (options.tokenizer() == null && !Files.isDirectory(key)
                && !TOKENIZER_FILE_NAMES.contains(String.valueOf(key.getFileName()))) {
            key = key.toAbsolutePath().getParent();
        }
        return key.toAbsolutePath().normalize();
    }

    private static final List<String> TOKENIZER_FILE_NAMES = List.of("tokenizer.json", "20B_tokenizer.json",
            "encoder.json", "vocab.bpe");

    /** A tokenizer being read by {@link #forModelInBackground}. */
    public static final class PendingTokenizer {
        private final Future<Optional<BytePairEncoder>> result;

        private PendingTokenizer(Future<Optional<BytePairEncoder>> result) {
            this.result = result;
        }

        /**
         * Waits for the tokenizer and returns what {@link #forModel} returned, or throws what it threw.
         *
         * @throws InterruptedIOException if this thread is interrupted while it waits
         */
        public Optional<BytePairEncoder> get() throws IOException {
            try {
                return result.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while waiting for the tokenizer to load");
            } catch (ExecutionException e) {
                switch (e.getCause()) {
                    case IOException io -> throw io;
                    case RuntimeException runtime -> throw runtime;
                    case Error error -> throw error;
                    default -> throw new IOException(e.getCause());
                }
            }
        }
    }

    private static Path sibling(Path file, String name) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        Path other = parent.resolve(name);
        if (!Files.isRegularFile(other)) {
            throw new TokenizerFileException(file, "needs " + name + " beside it, but " + other + " does not exist");
        }
        return other;
    }

    private static JsonNode readJson(Path file) throws IOException {
        requireFile(file);
        try {
            JsonNode root = JSON.readTree(file.toFile());
            if (root == null || root.isMissingNode()) {
                throw new TokenizerFileException(file, "empty file, expected JSON");
            }
            return root;
        } catch (JsonProcessingException e) {
            throw malformedJson(file, e);
        } catch (java.io.CharConversionException e) {
            throw new TokenizerFileException(file, "not valid JSON text: " + e.getMessage(), e);
        }
    }

    /**
     * GPT-2's {@code encoder.json}, read as a stream of name–number pairs straight into the map: a
     * cold start spent a third of the tokenizer's load building and walking the tree of 50 257 nodes.
     * The checks are {@link #readVocab}'s; as there, a name given twice keeps its last id.
     */
    private static Map<String, Integer> readEncoder(Path file) throws IOException {
        requireFile(file);
        try (JsonParser parser = JSON.createParser(file.toFile())) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                throw new TokenizerFileException(file, "empty file, expected JSON");
            }
            if (first != JsonToken.START_OBJECT) {
                throw new TokenizerFileException(file, "expected a JSON object of token → id, found " + describe(first));
            }
            Map<String, Integer> vocab = new HashMap<>(1 << 17);
            for (String name = parser.nextFieldName(); name != null; name = parser.nextFieldName()) {
                JsonToken value = parser.nextToken();
                if (value != JsonToken.VALUE_NUMBER_INT || parser.getNumberType() != JsonParser.NumberType.INT
                        || parser.getIntValue() < 0 || parser.getIntValue() >= MAX_ID) {
                    throw badId(file, "", name, value.isStructStart() ? describe(value) : parser.getText());
                }
                vocab.put(name, parser.getIntValue());
            }
            if (vocab.isEmpty()) {
                throw new TokenizerFileException(file, "empty vocabulary");
            }
            return vocab;
        } catch (JsonProcessingException e) {
            throw malformedJson(file, e);
        } catch (java.io.CharConversionException e) {
            throw new TokenizerFileException(file, "not valid JSON text: " + e.getMessage(), e);
        }
    }

    /** A tokenizer file that is not a regular file, or is too large: the same error wherever one is read. */
    private static void requireFile(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "tokenizer file not found");
        }
        long size = Files.size(file);
        if (size > MAX_FILE_BYTES) {
            throw new TokenizerFileException(file, "file of " + size + " bytes, more than " + MAX_FILE_BYTES
                    + " (Tokenizers.MAX_FILE_BYTES); real tokenizer files are tens of MB at most");
        }
    }

    /** A vocabulary entry whose id ({@code shown} as written) is not an integer in [0, {@link #MAX_ID}). */
    private static TokenizerFileException badId(Path file, String where, String token, String shown) {
        return new TokenizerFileException(file, where + "token \"" + abbreviate(token) + "\" has id " + abbreviate(shown)
                + ", expected an integer in [0, " + MAX_ID + ")");
    }

    private static String describe(JsonToken token) {
        return switch (token) {
            case START_OBJECT -> "an object";
            case START_ARRAY -> "an array";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            default -> token.toString();
        };
    }

    private static TokenizerFileException malformedJson(Path file, JsonProcessingException e) {
        return new TokenizerFileException(file, "malformed JSON: " + e.getOriginalMessage()
                + (e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr()), e);
    }

    private static List<String> readLines(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "merges file not found");
        }
        requireFile(file);
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new TokenizerFileException(file, "not valid UTF-8", e);
        }
    }

    private static Map<String, Integer> readVocab(Path file, JsonNode node, String where) throws IOException {
        Map<String, Integer> vocab = new HashMap<>(node.size() * 2);
        for (Map.Entry<String, JsonNode> entry : node.properties()) {
            JsonNode id = entry.getValue();
            if (!id.canConvertToInt() || !id.isIntegralNumber() || id.asInt() < 0 || id.asInt() >= MAX_ID) {
                throw badId(file, where, entry.getKey(), id.toString());
            }
            vocab.put(entry.getKey(), id.asInt());
        }
        if (vocab.isEmpty()) {
            throw new TokenizerFileException(file, where + "empty vocabulary");
        }
        return vocab;
    }

    private static String[] readMerge(Path file, JsonNode merge, int index) throws IOException {
        if (merge.isTextual()) {
            String[] parts = merge.asText().split(" ", -1);
            if (parts.length == 2 && !parts[0].isEmpty() && !parts[1].isEmpty()) {
                return parts;
            }
        } else if (merge.isArray() && merge.size() == 2 && merge.get(0).isTextual() && merge.get(1).isTextual()) {
            return new String[] {merge.get(0).asText(), merge.get(1).asText()};
        }
        throw new TokenizerFileException(file, "model.merges[" + index + "]: expected \"left right\" or [\"left\", \"right\"], found "
                + abbreviate(merge.toString()));
    }

    /** The BPE model; errors name {@code vocabFile} or {@code mergesFile} (the same file in a tokenizer.json). */
    static BpeModel buildModel(Path vocabFile, Path mergesFile, Map<String, Integer> vocab, List<String[]> merges,
            String unk, boolean fuseUnk, boolean ignoreMerges) throws IOException {
        int limit = 0;
        for (int id : vocab.values()) {
            limit = Math.max(limit, id + 1);
        }
        String[] idToToken = new String[limit];
        for (Map.Entry<String, Integer> entry : vocab.entrySet()) {
            String previous = idToToken[entry.getValue()];
            if (previous != null) {
                throw new TokenizerFileException(vocabFile, "id " + entry.getValue() + " is given to two tokens, \""
                        + abbreviate(previous) + "\" and \"" + abbreviate(entry.getKey()) + "\"");
            }
            idToToken[entry.getValue()] = entry.getKey();
        }
        BpeModel.MergeTable table = new BpeModel.MergeTable(merges.size());
        for (int rank = 0; rank < merges.size(); rank++) {
            String[] merge = merges.get(rank);
            Integer left = vocab.get(merge[0]);
            Integer right = vocab.get(merge[1]);
            Integer merged = vocab.get(merge[0] + merge[1]);
            String missing = left == null ? merge[0] : right == null ? merge[1] : merged == null ? merge[0] + merge[1] : null;
            if (missing != null) {
                throw new TokenizerFileException(mergesFile, "merge " + rank + " (\"" + abbreviate(merge[0]) + " " + abbreviate(merge[1])
                        + "\") uses \"" + abbreviate(missing) + "\", which is not in the vocabulary");
            }
            table.put(left, right, rank, merged);
        }
        int unkId = -1;
        if (unk != null) {
            Integer id = vocab.get(unk);
            if (id == null) {
                throw new TokenizerFileException(vocabFile, "unk_token \"" + abbreviate(unk) + "\" is not in the vocabulary");
            }
            unkId = id;
        }
        return new BpeModel(vocab, idToToken, table, unkId, fuseUnk, ignoreMerges, BytePairEncoder.DEFAULT_CACHE_CAPACITY);
    }

    static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }
}
