package io.github.vectorlm.neox;

import io.github.vectorlm.checkpoint.Checkpoint;
import io.github.vectorlm.checkpoint.TensorInfo;
import io.github.vectorlm.neox.NeoxWeightLayout.Entry;
import io.github.vectorlm.neox.NeoxWeightLayout.Parameter;
import io.github.vectorlm.neox.NeoxWeightLayout.Stage;
import io.github.vectorlm.tensor.DType;
import io.github.vectorlm.tensor.Shape;
import io.github.vectorlm.tensor.Tensor;
import io.github.vectorlm.tensor.ops.Linear;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntPredicate;

/**
 * GPT-NeoX's parameters: f32, f16 or bf16 as stored, every matrix [out, in] as {@code nn.Linear}
 * stores it. From a Hugging Face checkpoint they are views of the mapped file (no copy); from NeoX
 * slim weights they are the merged copies {@link NeoxSlimMerger} made.
 *
 * @param embedding the input embedding [vocab, hidden]
 * @param layers the loaded transformer layers in order (all of them unless a layer filter was given)
 * @param finalNormWeight the final LayerNorm's weight
 * @param finalNormBias the final LayerNorm's bias
 * @param head the output projection hidden → vocab, no bias; over {@code embedding} when tied
 */
record NeoxWeights(Tensor embedding, List<Layer> layers, Tensor finalNormWeight, Tensor finalNormBias, Linear head) {

    NeoxWeights {
        layers = List.copyOf(layers);
    }

    /**
     * One transformer layer.
     *
     * @param index its position among the model's layers
     * @param inputNormWeight input_layernorm weight (ln1)
     * @param inputNormBias input_layernorm bias
     * @param attention query_key_value: hidden → 3·hidden, outputs [n_heads, 3, head_dim]
     * @param attentionOutput attention.dense: hidden → hidden
     * @param postNormWeight post_attention_layernorm weight (ln2)
     * @param postNormBias post_attention_layernorm bias
     * @param mlpUp mlp.dense_h_to_4h
     * @param mlpDown mlp.dense_4h_to_h
     */
    record Layer(int index, Tensor inputNormWeight, Tensor inputNormBias, Linear attention, Linear attentionOutput,
            Tensor postNormWeight, Tensor postNormBias, Linear mlpUp, Linear mlpDown) {
    }

    /** A parameter of one layer (or of the whole model, {@code layer} -1). */
    record Key(Parameter parameter, int layer) {
        static Key of(Parameter p, int layer) {
            return new Key(p, p.stage() == Stage.LAYER ? layer : -1);
        }
    }

    /** Gives each (checked) parameter's tensor. */
    @FunctionalInterface
    interface Source {
        Tensor tensor(Key key) throws IOException;
    }

    /** Builds the weights of the layers {@code loadLayer} accepts (null: all) from {@code source}. */
    static NeoxWeights assemble(NeoxConfig config, IntPredicate loadLayer, Source source) throws IOException {
        List<Layer> layers = new ArrayList<>();
        for (int l = 0; l < config.layers(); l++) {
            if (loadLayer != null && !loadLayer.test(l)) {
                continue;
            }
            layers.add(new Layer(l,
                    vector(source, Parameter.INPUT_NORM_WEIGHT, l), vector(source, Parameter.INPUT_NORM_BIAS, l),
                    Linear.outIn(vector(source, Parameter.QKV_WEIGHT, l),
                            config.attentionBias() ? vector(source, Parameter.QKV_BIAS, l) : null),
                    Linear.outIn(vector(source, Parameter.DENSE_WEIGHT, l),
                            config.attentionBias() ? vector(source, Parameter.DENSE_BIAS, l) : null),
                    vector(source, Parameter.POST_NORM_WEIGHT, l), vector(source, Parameter.POST_NORM_BIAS, l),
                    Linear.outIn(vector(source, Parameter.UP_WEIGHT, l), vector(source, Parameter.UP_BIAS, l)),
                    Linear.outIn(vector(source, Parameter.DOWN_WEIGHT, l), vector(source, Parameter.DOWN_BIAS, l))));
        }
        Tensor embedding = vector(source, Parameter.EMBEDDING, -1);
        Tensor head = config.tiedEmbeddings() ? embedding : vector(source, Parameter.HEAD, -1);
        return new NeoxWeights(embedding, layers, vector(source, Parameter.FINAL_NORM_WEIGHT, -1),
                vector(source, Parameter.FINAL_NORM_BIAS, -1), Linear.outIn(head, null));
    }

    private static Tensor vector(Source source, Parameter p, int layer) throws IOException {
        // A checkpoint may store a strided view; the kernels read contiguous rows, so only then is a copy made.
        return source.tensor(Key.of(p, layer)).contiguous();
    }

    /**
     * Maps a Hugging Face checkpoint through {@link NeoxWeightLayout#HUGGING_FACE}. Every tensor is
     * checked before any is read: missing, unknown, misshaped or non-float tensors are all reported
     * in one exception. The tensors stay views of the checkpoint's mapped file.
     *
     * @throws NeoxWeightsException listing every problem
     */
    static NeoxWeights mapHuggingFace(Checkpoint checkpoint, NeoxConfig config, IntPredicate loadLayer)
            throws IOException {
        Map<Key, String> names = checkHuggingFace(checkpoint, config);
        return assemble(config, loadLayer, key -> checkpoint.tensor(names.get(key)));
    }

    /** The checkpoint name of every parameter the config expects, after checking them all. */
    static Map<Key, String> checkHuggingFace(Checkpoint checkpoint, NeoxConfig config) throws NeoxWeightsException {
        NeoxWeightLayout layout = NeoxWeightLayout.HUGGING_FACE;
        List<String> problems = new ArrayList<>();
        Set<String> known = new HashSet<>();
        Map<Key, String> names = new HashMap<>();
        for (Entry e : layout.entries()) {
            Parameter p = e.parameter();
            int count = p.stage() == Stage.LAYER ? config.layers() : 1;
            long[] expected = e.expectedShape(config);
            for (int l = 0; l < count; l++) {
                List<String> candidates = e.names(l);
                List<String> present = new ArrayList<>();
                for (String n : candidates) {
                    if (checkpoint.contains(n)) {
                        present.add(n);
                        known.add(n);
                    }
                }
                if (present.isEmpty()) {
                    if (p.expected(config)) {
                        problems.add("missing " + quoteAll(candidates, "or") + ", expected shape " + Arrays.toString(expected));
                    }
                    continue;
                }
                if (present.size() > 1) {
                    problems.add("both " + quoteAll(present, "and") + " are present; expected one of them");
                }
                String name = present.get(0);
                TensorInfo info = checkpoint.info(name);
                if (!p.expected(config) && p != Parameter.HEAD) {
                    // a head saved beside a tied embedding is a copy (transformers saves one), checked but not used
                    problems.add("unexpected '" + name + "' " + info.dtype() + info.shape()
                            + ": the config has attention_bias false");
                    continue;
                }
                checkShapeAndType(problems, "'" + name + "'", info, expected);
                names.put(Key.of(p, l), name);
            }
        }
        for (String name : checkpoint.tensorNames()) {
            if (!known.contains(name) && !layout.isIgnored(name)) {
                TensorInfo info = checkpoint.info(name);
                int layer = layout.layerOf(name);
                problems.add("unexpected '" + name + "' " + info.dtype() + info.shape()
                        + (layer >= config.layers() ? ": the config has " + config.layers() + " layers" : ""));
            }
        }
        if (!problems.isEmpty()) {
            throw new NeoxWeightsException(checkpoint.path(), layout.description() + " GPT-NeoX weights for "
                    + config.summary(), problems);
        }
        return names;
    }

    static void checkShapeAndType(List<String> problems, String what, TensorInfo info, long[] expected) {
        if (!info.shape().equals(Shape.of(expected))) {
            problems.add(what + " has shape " + info.shape() + ", expected " + Arrays.toString(expected));
        }
        if (!isFloat(info.dtype())) {
            problems.add(what + " is " + info.dtype() + ", expected F32, F16 or BF16");
        }
    }

    static boolean isFloat(DType d) {
        return d == DType.F32 || d == DType.F16 || d == DType.BF16;
    }

    private static String quoteAll(List<String> names, String conjunction) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < names.size(); i++) {
            sb.append(i == 0 ? "" : i == names.size() - 1 ? " " + conjunction + " " : ", ").append('\'').append(names.get(i)).append('\'');
        }
        return sb.toString();
    }
}
