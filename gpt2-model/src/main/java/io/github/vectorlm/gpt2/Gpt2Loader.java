package io.github.vectorlm.gpt2;

import io.github.vectorlm.checkpoint.Checkpoint;
import io.github.vectorlm.checkpoint.CheckpointException;
import io.github.vectorlm.checkpoint.Checkpoints;
import io.github.vectorlm.checkpoint.UnsupportedCheckpointException;
import io.github.vectorlm.decoder.Closeables;
import io.github.vectorlm.decoder.DecoderLoader;
import io.github.vectorlm.decoder.ExportOptions;
import io.github.vectorlm.decoder.ExportSource;
import io.github.vectorlm.decoder.GgufModelFile;
import io.github.vectorlm.decoder.ModelPool;
import io.github.vectorlm.decoder.StateDict;
import io.github.vectorlm.decoder.WeightMappingException;
import io.github.vectorlm.decoder.WeightQuantization;
import io.github.vectorlm.generation.LoadOptions;
import io.github.vectorlm.generation.Tokenizer;
import io.github.vectorlm.generation.Tokenizers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Loads GPT-2 from every layout its weights are shipped in:
 * <ul>
 *   <li>OpenAI's TensorFlow release: a folder with {@code hparams.json}, {@code checkpoint},
 *       {@code model.ckpt.index} and {@code model.ckpt.data-*} (and {@code encoder.json} +
 *       {@code vocab.bpe});
 *   <li>a Hugging Face folder: {@code config.json} with {@code model_type} gpt2 and
 *       {@code model.safetensors} or {@code pytorch_model.bin}, sharded or not, names with or
 *       without {@code transformer.};
 *   <li>a nanoGPT {@code ckpt.pt} (or a folder holding one), {@code _orig_mod.} prefixes and
 *       {@code bias=False} included;
 *   <li>a GGUF file of architecture {@code gpt2} as llama.cpp's converter writes it (F32, F16,
 *       BF16, Q8_0, Q4_0 and a Q6_K head read in place; the tokenizer from its metadata).
 * </ul>
 * Weights are used as stored (f32, f16 or bf16), viewing the memory-mapped file, unless
 * {@link LoadOptions#int8()} or {@link LoadOptions#quantize()} asks for the blocks' matrices
 * quantized at load ({@link WeightQuantization}: the tied head then in F16 or Q8_0, the embeddings
 * as stored).
 *
 * <pre>{@code
 * try (Gpt2Model model = new Gpt2Loader().load(Path.of("gpt2"), LoadOptions.defaults())) {
 *     Session session = model.newSession();
 *     float[] logits = new float[model.vocabSize()];
 *     model.forward(session, new int[] {464, 2068}, 0, 2, logits);
 * }
 * }</pre>
 */
public final class Gpt2Loader extends DecoderLoader {
    /** A loader of {@value Gpt2Model#ARCHITECTURE} models. */
    public Gpt2Loader() {
        super(Gpt2Model.ARCHITECTURE);
    }

    /** Whether {@code path} is one of the layouts above, judged from config files and checkpoint metadata. */
    @Override
    public boolean canLoad(Path path) throws IOException {
        if (GgufModelFile.isGguf(path)) {
            return "gpt2".equals(GgufModelFile.architectureOf(path));
        }
        return Gpt2Source.find(path) != null;
    }

    /**
     * Loads the model: config, weights (checked against the config all at once), and the tokenizer
     * named by {@link LoadOptions#tokenizer()}, else the one beside the weights ({@code tokenizer.json},
     * or {@code encoder.json} with {@code vocab.bpe}); none is fine: the model then takes ids.
     *
     * @throws UnsupportedCheckpointException if {@code path} is no GPT-2 layout, or an option this
     *     model does not support is set
     * @throws WeightMappingException listing every missing, unknown or misshaped tensor
     */
    @Override
    public Gpt2Model load(Path path, LoadOptions options) throws IOException {
        if (GgufModelFile.isGguf(path)) {
            return Gpt2GgufLoader.load(path, options);
        }
        Gpt2Source.Opened opened = Gpt2Source.findKeepingOpen(path);
        if (opened == null) {
            if (Files.isRegularFile(path)) {
                // a file can only be a nanoGPT checkpoint: let the reader say what is wrong with it, if anything
                try (Checkpoint c = Checkpoints.open(path)) {
                    throw new UnsupportedCheckpointException(path, null, "not a nanoGPT checkpoint: a " + c.format()
                            + " file without the 'model_args' and 'model' dicts");
                }
            }
            Path ckpt = path.resolve("ckpt.pt");
            if (Files.isRegularFile(ckpt)) {
                throw new UnsupportedCheckpointException(ckpt, null, "not a nanoGPT checkpoint: a PyTorch file"
                        + " without the 'model_args' and 'model' dicts");
            }
            throw new UnsupportedCheckpointException(path, null, "not a GPT-2 model: expected a folder with a Hugging "
                    + "Face config.json (model_type gpt2) and weights, a folder with OpenAI's hparams.json and a "
                    + "TensorFlow checkpoint, or a nanoGPT ckpt.pt");
        }
        Gpt2Source source = opened.source();
        Checkpoint checkpoint = opened.checkpoint(); // a nanoGPT file, open since it was recognised
        ModelPool pool = null;
        WeightQuantization quantization = null;
        try {
            if (options.layers() != null) {
                throw new UnsupportedCheckpointException(path, null, "loading a subset of layers is not supported for GPT-2");
            }
            Tokenizers.PendingTokenizer tokenizer = Tokenizers.forModelInBackground(source.folder(), options);
            if (checkpoint == null) {
                checkpoint = Checkpoints.open(source.weights());
            }
            Gpt2Config config = config(options.config(), source, checkpoint);
            StateDict state = stateDict(source, checkpoint);
            options.progress().progress("mapping GPT-2 weights", 0, 1);
            Gpt2Weights weights = Gpt2Weights.map(state, config, source.kind().layout());
            options.progress().progress("mapping GPT-2 weights", 1, 1);
            Tokenizer tok = tokenizer.get().orElse(null);
            pool = ModelPool.of(options);
            quantization = WeightQuantization.of(options, "GPT-2", 4 * config.layers());
            return new Gpt2Model(config, weights, pool.parallel(), tok, quantization::layer,
                    quantization.head(weights.head()), WeightQuantization.describe(options),
                    Closeables.inOrder(checkpoint, quantization, pool));
        } catch (IOException | RuntimeException | Error e) {
            Closeables.closeAfter(e, checkpoint, quantization, pool);
            throw e;
        }
    }

    /** The config file given ({@code --config}), else the one the layout holds. */
    private static Gpt2Config config(Path given, Gpt2Source source, Checkpoint checkpoint) throws IOException {
        if (given != null) {
            return Gpt2Config.fromJsonFile(given);
        }
        return switch (source.kind()) {
            case HUGGING_FACE -> Gpt2Config.fromHuggingFaceConfig(source.config());
            case OPENAI_TF -> Gpt2Config.fromOpenAiHparams(source.config());
            case NANOGPT -> Gpt2Config.fromNanoGptModelArgs(nanoGptModelArgs(checkpoint), checkpoint.path());
        };
    }

    /** The weights by name: a nanoGPT file's {@code model} dict, else the whole checkpoint. */
    private static StateDict stateDict(Gpt2Source source, Checkpoint checkpoint) throws IOException {
        return source.kind() == Gpt2Source.Kind.NANOGPT ? StateDict.ofPickledDict(checkpoint, "model")
                : StateDict.of(checkpoint);
    }

    /**
     * Opens the model for {@link io.github.vectorlm.decoder.ModelExport}: from any of the three
     * layouts, as Hugging Face's {@code GPT2LMHeadModel} ({@link Gpt2Export}). The config comes from
     * {@link ExportOptions#config()} when given, as in {@link #load}.
     */
    @Override
    public ExportSource openExport(Path path, ExportOptions options) throws IOException {
        Gpt2Source.Opened opened = Gpt2Source.findKeepingOpen(path);
        if (opened == null) {
            throw new UnsupportedCheckpointException(path, null, "not a GPT-2 model");
        }
        Gpt2Source source = opened.source();
        Checkpoint checkpoint = opened.checkpoint();
        try {
            if (checkpoint == null) {
                checkpoint = Checkpoints.open(source.weights());
            }
            Gpt2Config config = config(options.config(), source, checkpoint);
            StateDict state = stateDict(source, checkpoint);
            return new Gpt2Export(source, config, checkpoint, Gpt2Weights.reader(state, config, source.kind().layout()));
        } catch (IOException | RuntimeException | Error e) {
            Closeables.closeAfter(e, checkpoint);
            throw e;
        }
    }

    /** nanoGPT's {@code checkpoint['model_args']}. */
    private static Map<?, ?> nanoGptModelArgs(Checkpoint checkpoint) throws CheckpointException {
        if (checkpoint.content() instanceof Map<?, ?> root && root.get("model_args") instanceof Map<?, ?> args) {
            return args;
        }
        throw new CheckpointException(checkpoint.path(), null, "holds no 'model_args' dict");
    }
}
