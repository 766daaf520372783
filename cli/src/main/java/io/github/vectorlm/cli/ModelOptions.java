package io.github.vectorlm.cli;

import io.github.vectorlm.generation.LanguageModel;
import io.github.vectorlm.generation.LanguageModels;
import io.github.vectorlm.generation.LoadOptions;
import io.github.vectorlm.generation.ProgressListener;
import io.github.vectorlm.generation.Tokenizer;
import io.github.vectorlm.generation.Tokenizers;
import io.github.vectorlm.tensor.BlockType;
import io.github.vectorlm.tensor.ops.Parallel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The options of every command that runs a model: which model, and how to load it. */
final class ModelOptions {
    /** The help text of {@code --model}, the first line; shared with commands that take it on their own. */
    static final String MODEL_HELP = "The model: a folder (Hugging Face, OpenAI's GPT-2 TensorFlow release, GPT-NeoX "
            + "slim weights with 'latest') or a nanoGPT ckpt.pt file.";
    /** The help text of {@code --model}, the second line: its default. */
    static final String MODEL_DEFAULT_HELP = "Default: the built-in demo model " + CliContext.DEMO_MODEL + ".";

    @Option(names = "--model", paramLabel = "PATH", description = {MODEL_HELP, MODEL_DEFAULT_HELP})
    Path model;

    @Option(names = "--tokenizer", paramLabel = "FILE",
            description = "A tokenizer file to use instead of the one beside the weights (tokenizer.json, "
                    + "20B_tokenizer.json, or encoder.json with vocab.bpe beside it).")
    Path tokenizer;

    @Option(names = "--config", paramLabel = "FILE",
            description = "A config file to use instead of the one beside the weights (a GPT-NeoX YAML for slim weights).")
    Path config;

    @Option(names = "--threads", paramLabel = "N",
            description = "Threads the kernels run on. Default: one per processor.")
    Integer threads;

    @Option(names = "--int8",
            description = "Quantize matrix weights to int8 at load (LLM.int8 scheme; the head in 16 bits).")
    boolean int8;

    @Option(names = "--quantize", paramLabel = "TYPE",
            description = "Quantize the layers' matrices at load to ggml blocks: q8_0 or q4_0 (the head to q8_0; "
                    + "embeddings as stored).")
    String quantize;

    /** The model path the user gave, or the demo model. */
    Path modelPath(CliContext context) {
        return modelPath(model, context);
    }

    /** {@code model} if given, else the demo model of {@code context}, which must exist. */
    static Path modelPath(Path model, CliContext context) {
        if (model != null) {
            return model;
        }
        Path demo = context.demoModel();
        if (!Files.isDirectory(demo)) {
            throw new CliException("no --model given, and the demo model is not at " + demo,
                    "pass --model PATH, or run the ./vectorlm launcher of a VectorLM checkout (it sets -Dvectorlm.home)");
        }
        return demo;
    }

    /**
     * A tokenizer on its own: the file {@code tokenizerFile} if given, else the one beside the
     * model {@code model} (the demo model when that is null too); for commands that need no weights.
     */
    static Tokenizer tokenizerOnly(Path tokenizerFile, Path model, CliContext context) throws IOException {
        if (tokenizerFile != null) {
            return Tokenizers.load(tokenizerFile);
        }
        ModelOptions named = new ModelOptions();
        named.model = model;
        Path path = named.modelPath(context);
        return Tokenizers.find(path).orElseThrow(() -> new CliException("no tokenizer found beside " + path,
                "pass --tokenizer FILE (tokenizer.json, or encoder.json with vocab.bpe beside it)"));
    }

    /** The block type of {@code --quantize}, or null. */
    BlockType quantizeType() {
        if (quantize == null) {
            return null;
        }
        BlockType type = switch (quantize.toLowerCase(java.util.Locale.ROOT)) {
            case "q8_0" -> BlockType.Q8_0;
            case "q4_0" -> BlockType.Q4_0;
            default -> throw new CliException("--quantize takes q8_0 or q4_0, got '" + quantize + "'");
        };
        if (int8) {
            throw new CliException("--int8 and --quantize exclude each other: give one");
        }
        return type;
    }

    /** Loads the model with these options, reporting progress to {@code progress}. */
    LoadedModel load(CliContext context, ProgressListener progress) throws IOException {
        return load(context, progress, true);
    }

    /**
     * Loads the model with these options, quantized as {@code --int8} / {@code --quantize} ask or,
     * when {@code quantized} is false, with its weights as stored (the reference a quantized model
     * is compared with).
     */
    LoadedModel load(CliContext context, ProgressListener progress, boolean quantized) throws IOException {
        if (threads != null && threads < 1) {
            throw new CliException("--threads must be at least 1, got " + threads);
        }
        BlockType type = quantizeType();
        Path path = modelPath(context);
        Parallel parallel = threads == null ? Parallel.shared() : Parallel.create(threads);
        LoadOptions options = LoadOptions.defaults()
                .withParallel(parallel)
                .withTokenizer(tokenizer)
                .withConfig(config)
                .withInt8(quantized && int8)
                .withQuantize(quantized ? type : null)
                .withProgress(progress);
        try {
            LanguageModel m = LanguageModels.load(path, options);
            try {
                return new LoadedModel(m, tokenizer(path, m, options), threads == null ? null : parallel);
            } catch (IOException | RuntimeException | Error e) {
                m.close();
                throw e;
            }
        } catch (IOException | RuntimeException | Error e) {
            if (threads != null) {
                parallel.close();
            }
            throw e;
        }
    }

    /**
     * The model's tokenizer ({@code --tokenizer}, else the one beside the weights); for a model
     * module that does not load one, the same search done here. Null if there is none (ids still work).
     */
    private static Tokenizer tokenizer(Path path, LanguageModel m, LoadOptions options) throws IOException {
        if (m.tokenizer().isPresent()) {
            return m.tokenizer().get();
        }
        return Tokenizers.forModel(path, options).orElse(null);
    }

    /**
     * A loaded model, its tokenizer and the thread pool made for it; closing closes the model and the pool.
     *
     * @param model the model
     * @param tokenizer the tokenizer, or null when there is none
     * @param ownPool the pool made for {@code --threads}, or null for the shared one
     */
    record LoadedModel(LanguageModel model, Tokenizer tokenizer, Parallel ownPool) implements AutoCloseable {
        /** The tokenizer, or an error saying how to give one. */
        Tokenizer requireTokenizer(String why) {
            return java.util.Optional.ofNullable(tokenizer).orElseThrow(() -> new CliException(
                    "the model has no tokenizer, which " + why + " needs",
                    "pass --tokenizer FILE, or give token ids with --ids"));
        }

        /** The pool the model runs on. */
        Parallel pool() {
            return ownPool != null ? ownPool : Parallel.shared();
        }

        @Override
        public void close() {
            try {
                model.close();
            } finally {
                if (ownPool != null) {
                    ownPool.close();
                }
            }
        }
    }
}
