package io.github.vectorlm.gpt2;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.vectorlm.checkpoint.Checkpoint;
import io.github.vectorlm.checkpoint.CheckpointException;
import io.github.vectorlm.checkpoint.CheckpointFormat;
import io.github.vectorlm.checkpoint.Checkpoints;
import io.github.vectorlm.decoder.ConfigReader;
import io.github.vectorlm.decoder.WeightTable;
import io.github.vectorlm.gpt2.Gpt2WeightLayout.Parameter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Where a GPT-2 model's files are, recognised from config files and checkpoint metadata.
 *
 * @param kind which layout
 * @param weights what to give {@link Checkpoints#open}: a folder, a TensorFlow prefix or a file
 * @param config the config file (null for nanoGPT, whose config is inside the checkpoint)
 * @param folder the folder holding the files, where a tokenizer may lie
 */
record Gpt2Source(Kind kind, Path weights, Path config, Path folder) {

    /** The three ways GPT-2 weights are shipped. */
    enum Kind {
        /** OpenAI's release: {@code hparams.json} + a TensorFlow bundle. */
        OPENAI_TF(Gpt2WeightLayout.OPENAI_TF),
        /** A Hugging Face {@code save_pretrained} folder. */
        HUGGING_FACE(Gpt2WeightLayout.HUGGING_FACE),
        /** nanoGPT's {@code ckpt.pt}. */
        NANOGPT(Gpt2WeightLayout.NANOGPT);

        private final WeightTable<Parameter> layout;

        Kind(WeightTable<Parameter> layout) {
            this.layout = layout;
        }

        WeightTable<Parameter> layout() {
            return layout;
        }
    }

    /** Weight files of a Hugging Face folder, in {@link Checkpoints#open}'s order of preference. */
    static final List<String> HF_WEIGHT_FILES = List.of("model.safetensors.index.json", "model.safetensors",
            "pytorch_model.bin.index.json", "pytorch_model.bin");

    /**
     * The GPT-2 model at {@code path}, or null if it is none: a folder with a Hugging Face
     * {@code config.json} whose {@code model_type} is gpt2 and a weights file; a folder with OpenAI's
     * {@code hparams.json} and a TensorFlow {@code checkpoint} or {@code model.ckpt.index}; a nanoGPT
     * checkpoint (a PyTorch file holding {@code model_args} and {@code model}), or a folder with one
     * named {@code ckpt.pt}.
     *
     * @throws IOException only if a file that must be read cannot be
     */
    static Gpt2Source find(Path path) throws IOException {
        if (Files.isDirectory(path)) {
            Path config = path.resolve("config.json");
            if (Files.isRegularFile(config) && isHuggingFaceGpt2(config)
                    && HF_WEIGHT_FILES.stream().anyMatch(f -> Files.isRegularFile(path.resolve(f)))) {
                return new Gpt2Source(Kind.HUGGING_FACE, path, config, path);
            }
            Path hparams = path.resolve("hparams.json");
            Path tfIndex = path.resolve("model.ckpt.index");
            if (Files.isRegularFile(hparams)
                    && (Files.isRegularFile(tfIndex) || Files.isRegularFile(path.resolve("checkpoint")))) {
                // OpenAI's files use the prefix model.ckpt; otherwise the 'checkpoint' file names it
                Path weights = Files.isRegularFile(tfIndex) ? path.resolve("model.ckpt") : path;
                return new Gpt2Source(Kind.OPENAI_TF, weights, hparams, path);
            }
            Path ckpt = path.resolve("ckpt.pt");
            if (Files.isRegularFile(ckpt) && isNanoGpt(ckpt)) {
                return new Gpt2Source(Kind.NANOGPT, ckpt, null, path);
            }
            return null;
        }
        if (Files.isRegularFile(path) && isNanoGpt(path)) {
            Path parent = path.toAbsolutePath().getParent();
            return new Gpt2Source(Kind.NANOGPT, path, null, parent);
        }
        return null;
    }

    private static boolean isHuggingFaceGpt2(Path config) throws IOException {
        try {
            JsonNode root = ConfigReader.readJson(config);
            return root != null && "gpt2".equals(root.path("model_type").asText(null));
        } catch (CheckpointException e) {
            return false; // not JSON: not a config this loader reads
        }
    }

    /** A PyTorch file whose pickle is a dict with a {@code model_args} dict and a {@code model} dict. */
    private static boolean isNanoGpt(Path file) throws IOException {
        try {
            CheckpointFormat format = Checkpoints.detect(file);
            if (format != CheckpointFormat.TORCH_ZIP && format != CheckpointFormat.TORCH_LEGACY) {
                return false;
            }
            try (Checkpoint c = Checkpoints.open(file)) {
                return c.content() instanceof Map<?, ?> root && root.get("model_args") instanceof Map<?, ?>
                        && root.get("model") instanceof Map<?, ?>;
            }
        } catch (CheckpointException e) {
            // unreadable as a PyTorch checkpoint (or refused as unsafe): not a nanoGPT file for this loader
            return false;
        }
    }
}
