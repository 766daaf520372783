package io.github.vectorlm.decoder;

import io.github.vectorlm.checkpoint.CorruptCheckpointException;
import io.github.vectorlm.checkpoint.GgufCheckpoint;
import io.github.vectorlm.checkpoint.GgufReader;
import io.github.vectorlm.checkpoint.TensorInfo;
import io.github.vectorlm.checkpoint.UnsupportedCheckpointException;
import io.github.vectorlm.generation.GgufTokenizers;
import io.github.vectorlm.generation.Tokenizer;
import io.github.vectorlm.tensor.BlockType;
import io.github.vectorlm.tensor.DType;
import io.github.vectorlm.tensor.Shape;
import io.github.vectorlm.tensor.Tensor;
import io.github.vectorlm.tensor.ops.Linear;
import io.github.vectorlm.tensor.ops.QuantizedLinear;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A model in a GGUF file as llama.cpp's {@code convert_hf_to_gguf.py} writes it, for the model
 * loaders: typed reads of the architecture's hyperparameters ({@code <arch>.block_count}, …), a
 * check of every tensor the model needs (present, shape, a type that can be computed) reported all
 * at once before any is used, the matrices as {@link Projection}s over the mapped file, the token
 * table as a {@link TokenEmbedding}, and the tokenizer from {@code tokenizer.ggml.*}.
 *
 * <p>Tensor types: F32, F16, BF16 are views of the file; Q8_0, Q4_0 and Q6_K matrices are
 * {@link QuantizedLinear}s over the mapped blocks (no copy); the other dequantizable block types
 * (Q4_1, Q5_0, Q5_1, Q8_1, Q2_K…Q5_K) are dequantized to F32 at load into an arena closed with the
 * model (a one-time cost: llama-quantize puts them in no file of these two architectures unless
 * asked); types with no dequantizer here (the i-quants, TQ*, …) are an error naming the tensor and
 * its type. A token table may be any dequantizable type: each looked-up row is dequantized.
 * Vectors (norms, biases) must be F32, F16 or BF16, as the converter writes them.
 */
public final class GgufModelFile implements AutoCloseable {
    /** {@code tokenizer.ggml.pre} values that llama.cpp splits with GPT-2's regex. */
    private static final Set<String> GPT2_PRE_TOKENIZERS = Set.of("gpt-2", "default", "olmo", "mpt", "jais");

    private final GgufCheckpoint file;
    private final String architecture;
    private final Arena arena = Arena.ofShared();
    private final Map<String, long[]> expected = new LinkedHashMap<>();
    private final List<String> problems = new ArrayList<>();

    private GgufModelFile(GgufCheckpoint file, String architecture) {
        this.file = file;
        this.architecture = architecture;
    }

    /**
     * Whether {@code path} is a GGUF file (by its magic bytes).
     *
     * @param path a file or folder
     * @return true for a regular file starting with {@code GGUF}
     * @throws IOException if the file cannot be read
     */
    public static boolean isGguf(Path path) throws IOException {
        if (!Files.isRegularFile(path)) {
            return false;
        }
        try (java.io.InputStream in = Files.newInputStream(path)) {
            byte[] magic = in.readNBytes(4);
            return magic.length == 4 && magic[0] == 'G' && magic[1] == 'G' && magic[2] == 'U' && magic[3] == 'F';
        }
    }

    /**
     * The {@code general.architecture} of a GGUF file.
     *
     * @param path the file
     * @return the architecture, or null if the key is absent or not a string
     * @throws IOException if the file is not a valid GGUF file
     */
    public static String architectureOf(Path path) throws IOException {
        try (GgufCheckpoint c = GgufReader.open(path)) {
            return c.metadata().get("general.architecture") instanceof String s ? s : null;
        }
    }

    /**
     * Opens {@code path}, which must hold a model of {@code architecture}.
     *
     * @param path the GGUF file
     * @param architecture the expected {@code general.architecture} ("gpt2", "gptneox")
     * @return the file; close it with the model (it owns the mapping and any dequantized copies)
     * @throws UnsupportedCheckpointException if the architecture is another
     */
    public static GgufModelFile open(Path path, String architecture) throws IOException {
        GgufCheckpoint c = GgufReader.open(path);
        Object arch = c.metadata().get("general.architecture");
        if (!architecture.equals(arch)) {
            c.close();
            throw new UnsupportedCheckpointException(path, null, "general.architecture is "
                    + (arch == null ? "missing" : "'" + arch + "'") + ", expected '" + architecture + "'");
        }
        return new GgufModelFile(c, architecture);
    }

    /** The file. */
    public GgufCheckpoint checkpoint() {
        return file;
    }

    /** The file's path. */
    public Path path() {
        return file.path();
    }

    /**
     * {@code <architecture>.<key>} as a positive int.
     *
     * @throws CorruptCheckpointException naming the key if it is missing, not an integer, or not in [1, 2³¹)
     */
    public int positiveInt(String key) throws CorruptCheckpointException {
        String full = architecture + "." + key;
        Object v = file.metadata().get(full);
        if (v == null) {
            throw new CorruptCheckpointException(path(), null, "metadata key '" + full + "' is missing");
        }
        if (!(v instanceof Long l)) {
            throw new CorruptCheckpointException(path(), null, "metadata key '" + full + "' is " + describe(v)
                    + ", expected an integer");
        }
        if (l < 1 || l > Integer.MAX_VALUE) {
            throw new CorruptCheckpointException(path(), null, "metadata key '" + full + "' is " + l
                    + ", expected a positive 32-bit integer");
        }
        return (int) (long) l;
    }

    /**
     * {@code <architecture>.<key>} as a number, or {@code fallback} when absent.
     *
     * @throws CorruptCheckpointException naming the key if it is present but not a finite number
     */
    public double number(String key, Double fallback) throws CorruptCheckpointException {
        String full = architecture + "." + key;
        Object v = file.metadata().get(full);
        if (v == null) {
            if (fallback == null) {
                throw new CorruptCheckpointException(path(), null, "metadata key '" + full + "' is missing");
            }
            return fallback;
        }
        if (!(v instanceof Number n) || !Double.isFinite(n.doubleValue())) {
            throw new CorruptCheckpointException(path(), null, "metadata key '" + full + "' is " + describe(v)
                    + ", expected a finite number");
        }
        return n.doubleValue();
    }

    /**
     * {@code <architecture>.<key>} as a boolean.
     *
     * @throws CorruptCheckpointException naming the key if it is missing or not a boolean
     */
    public boolean bool(String key) throws CorruptCheckpointException {
        String full = architecture + "." + key;
        Object v = file.metadata().get(full);
        if (!(v instanceof Boolean b)) {
            throw new CorruptCheckpointException(path(), null, "metadata key '" + full + "' is "
                    + (v == null ? "missing" : describe(v) + ", expected a boolean"));
        }
        return b;
    }

    /**
     * Declares a tensor the model needs, of row-major {@code shape}; problems are collected until
     * {@link #checkTensors()}.
     */
    public void expect(String name, long... shape) {
        expected.put(name, shape);
        if (!file.contains(name)) {
            problems.add("tensor '" + name + "' is missing (expected " + Shape.of(shape) + ")");
            return;
        }
        TensorInfo info = file.info(name);
        if (!info.shape().equals(Shape.of(shape))) {
            problems.add("tensor '" + name + "' has shape " + info.shape() + ", expected " + Shape.of(shape));
        }
        BlockType block = info.blockType();
        if (shape.length == 1 && (block != null || !isFloat(info.dtype()))) {
            problems.add("tensor '" + name + "' is " + file.ggmlType(name) + ", expected F32, F16 or BF16");
        } else if (block != null && !block.canDequantize()) {
            problems.add("tensor '" + name + "' is " + block + ", which VectorLM does not compute (types: F32, F16, "
                    + "BF16, Q8_0, Q4_0, Q6_K in place; Q4_1, Q5_0, Q5_1, Q8_1, Q2_K…Q5_K dequantized at load)");
        } else if (block == null && !isFloat(info.dtype())) {
            problems.add("tensor '" + name + "' is " + info.dtype() + ", expected a float or block-quantized type");
        }
    }

    /**
     * Throws every problem found by {@link #expect}, plus tensors the file holds that were not
     * expected (llama.cpp refuses those too).
     *
     * @throws CorruptCheckpointException listing every problem, naming the file
     */
    public void checkTensors() throws CorruptCheckpointException {
        List<String> all = new ArrayList<>(problems);
        for (String name : file.tensorNames()) {
            if (!expected.containsKey(name)) {
                all.add("unexpected tensor '" + name + "' for architecture '" + architecture + "'");
            }
        }
        if (!all.isEmpty()) {
            throw new CorruptCheckpointException(path(), null, all.size() + " problem" + (all.size() == 1 ? "" : "s")
                    + " with the " + architecture + " tensors:\n  " + String.join("\n  ", all));
        }
    }

    /** Whether the file holds {@code name}. */
    public boolean contains(String name) {
        return file.contains(name);
    }

    /**
     * A vector or plain matrix: a view of the file (F32/F16/BF16), or a block-quantized one
     * dequantized to F32 into the file's arena.
     */
    public Tensor tensor(String name) throws IOException {
        TensorInfo info = file.info(name);
        return info.blockType() == null ? file.tensor(name) : file.quantized(name).dequantize(arena);
    }

    /**
     * A matrix [out, in] with an optional bias as the forward pass runs it: Q8_0/Q4_0/Q6_K in place;
     * F32/F16/BF16 through {@code asStored} (which may quantize it at load, per the load options);
     * other block types dequantized to F32 first.
     *
     * @param weight the weight's name
     * @param bias the bias' name, or null
     * @param asStored what to make of a float matrix (e.g. {@link WeightQuantization#layer})
     */
    public Projection projection(String weight, String bias, java.util.function.Function<Linear, Projection> asStored)
            throws IOException {
        Tensor b = bias == null ? null : file.tensor(bias);
        BlockType block = file.info(weight).blockType();
        if (block == BlockType.Q8_0 || block == BlockType.Q4_0 || block == BlockType.Q6_K) {
            return Projection.of(QuantizedLinear.of(file.quantized(weight), b));
        }
        return asStored.apply(Linear.outIn(tensor(weight), b));
    }

    /**
     * Declares the blocks that llama.cpp's {@code gpt2} and {@code gptneox} name alike: for each layer
     * {@code blk.N.}, {@code attn_norm} and {@code ffn_norm} (weight and bias, [width]), {@code attn_qkv}
     * [3·width, width], {@code attn_output} [width, width], {@code ffn_up} [inner, width] and
     * {@code ffn_down} [width, inner], each with its bias.
     */
    public void expectLayerNormBlocks(int layers, long width, long inner) {
        for (int l = 0; l < layers; l++) {
            String p = "blk." + l + ".";
            expect(p + "attn_norm.weight", width);
            expect(p + "attn_norm.bias", width);
            expect(p + "attn_qkv.weight", 3L * width, width);
            expect(p + "attn_qkv.bias", 3L * width);
            expect(p + "attn_output.weight", width, width);
            expect(p + "attn_output.bias", width);
            expect(p + "ffn_norm.weight", width);
            expect(p + "ffn_norm.bias", width);
            expect(p + "ffn_up.weight", inner, width);
            expect(p + "ffn_up.bias", inner);
            expect(p + "ffn_down.weight", width, inner);
            expect(p + "ffn_down.bias", width);
        }
    }

    /**
     * The blocks {@link #expectLayerNormBlocks} declared: each layer's norms and its four projections
     * (qkv, attention output, MLP up, MLP down).
     *
     * @param weights the layers' norms, one per layer
     * @param projections the layers' projections, in the same order
     */
    public record LayerNormBlocks(List<LayerWeights> weights, List<LayerProjections> projections) {
    }

    /**
     * Reads the blocks {@link #expectLayerNormBlocks} declared.
     *
     * @param asStored what to make of a float matrix (e.g. {@link WeightQuantization#layer})
     */
    public LayerNormBlocks layerNormBlocks(int layers, java.util.function.Function<Linear, Projection> asStored)
            throws IOException {
        List<LayerWeights> weights = new ArrayList<>();
        List<LayerProjections> projections = new ArrayList<>();
        for (int l = 0; l < layers; l++) {
            String p = "blk." + l + ".";
            LayerWeights w = new LayerWeights(l, tensor(p + "attn_norm.weight"), tensor(p + "attn_norm.bias"),
                    null, null, tensor(p + "ffn_norm.weight"), tensor(p + "ffn_norm.bias"), null, null);
            weights.add(w);
            projections.add(new LayerProjections(w,
                    projection(p + "attn_qkv.weight", p + "attn_qkv.bias", asStored),
                    projection(p + "attn_output.weight", p + "attn_output.bias", asStored),
                    projection(p + "ffn_up.weight", p + "ffn_up.bias", asStored),
                    projection(p + "ffn_down.weight", p + "ffn_down.bias", asStored)));
        }
        return new LayerNormBlocks(List.copyOf(weights), List.copyOf(projections));
    }

    /** The token table {@code name} as stored: a view, or block-quantized rows dequantized per lookup. */
    public TokenEmbedding embedding(String name) throws IOException {
        return file.info(name).blockType() == null ? TokenEmbedding.of(file.tensor(name))
                : TokenEmbedding.of(file.quantized(name));
    }

    /**
     * The tokenizer of {@code tokenizer.ggml.*}, or null when the file has none.
     *
     * @param vocabSize the model's vocabulary: the tokenizer may not have more ids
     * @throws UnsupportedCheckpointException if the tokenizer is not byte-level BPE ("gpt2") with
     *     GPT-2's pre-tokenizer ("gpt-2", "default", or "olmo", "mpt" and "jais", which llama.cpp's
     *     {@code llama-vocab.cpp} splits with GPT-2's regex; its converter names the GPT-NeoX-20B
     *     tokenizer of Pythia files "olmo")
     * @throws IOException naming the key or entry that is wrong
     */
    public Tokenizer tokenizer(int vocabSize) throws IOException {
        Map<String, Object> m = file.metadata();
        Object model = m.get("tokenizer.ggml.model");
        if (model == null) {
            return null;
        }
        if (!"gpt2".equals(model)) {
            throw new UnsupportedCheckpointException(path(), null, "tokenizer.ggml.model is '" + model
                    + "': VectorLM reads byte-level BPE tokenizers ('gpt2') only");
        }
        Object pre = m.get("tokenizer.ggml.pre");
        if (pre != null && !GPT2_PRE_TOKENIZERS.contains(pre)) {
            throw new UnsupportedCheckpointException(path(), null, "tokenizer.ggml.pre is '" + pre
                    + "': VectorLM applies GPT-2's pre-tokenizer ('gpt-2') only");
        }
        List<String> tokens = stringList(m, "tokenizer.ggml.tokens", true);
        if (tokens.size() > vocabSize) {
            throw new CorruptCheckpointException(path(), null, "tokenizer.ggml.tokens has " + tokens.size()
                    + " tokens for a vocabulary of " + vocabSize + " (token_embd rows)");
        }
        List<String> merges = stringList(m, "tokenizer.ggml.merges", false);
        List<Integer> types = null;
        if (m.get("tokenizer.ggml.token_type") instanceof List<?> list) {
            types = new ArrayList<>(list.size());
            for (int i = 0; i < list.size(); i++) {
                if (!(list.get(i) instanceof Number n)) {
                    throw new CorruptCheckpointException(path(), null, "tokenizer.ggml.token_type[" + i + "] is "
                            + describe(list.get(i)) + ", expected an integer");
                }
                types.add(n.intValue());
            }
        } else if (m.containsKey("tokenizer.ggml.token_type")) {
            throw new CorruptCheckpointException(path(), null, "tokenizer.ggml.token_type is not an array");
        }
        return GgufTokenizers.fromVocabulary(path(), tokens, merges == null ? List.of() : merges, types);
    }

    private List<String> stringList(Map<String, Object> m, String key, boolean required) throws CorruptCheckpointException {
        Object v = m.get(key);
        if (v == null) {
            if (required) {
                throw new CorruptCheckpointException(path(), null, "metadata key '" + key + "' is missing");
            }
            return null;
        }
        if (!(v instanceof List<?> list)) {
            throw new CorruptCheckpointException(path(), null, "metadata key '" + key + "' is " + describe(v)
                    + ", expected an array of strings");
        }
        List<String> out = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            if (!(list.get(i) instanceof String s)) {
                throw new CorruptCheckpointException(path(), null, key + "[" + i + "] is " + describe(list.get(i))
                        + ", expected a string");
            }
            out.add(s);
        }
        return out;
    }

    private static boolean isFloat(DType d) {
        return d == DType.F32 || d == DType.F16 || d == DType.BF16;
    }

    private static String describe(Object v) {
        return v == null ? "null" : v instanceof String s ? "the string '" + s + "'"
                : v instanceof List<?> ? "an array" : v.getClass().getSimpleName().toLowerCase() + " " + v;
    }

    /** Closes the mapping and frees the dequantized copies. */
    @Override
    public void close() {
        try {
            arena.close();
        } finally {
            file.close();
        }
    }

    @Override
    public String toString() {
        return "GgufModelFile[" + path() + ", " + architecture + "]";
    }
}
