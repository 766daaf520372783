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
     * checkpoint (a PyTorch file holding {@code model_args} and {@code model}), or a folder with a
     * PyTorch file named {@code ckpt.pt} (nanoGPT's name: its pickle is not read here, the load
     * checks it).
     *
     * @throws IOException only if a file that must be read cannot be
     */
    static Gpt2Source find(Path path) throws IOException {
        Opened opened = open(path, false);
        return opened == null ? null : opened.source();
    }

    /**
     * A source found by {@link #findKeepingOpen}, with the checkpoint that had to be opened to
     * recognise it: a nanoGPT file stays open from the look at its pickle (opening a checkpoint is
     * much of a cold start's load, and this saves doing it twice).
     *
     * @param source where the files are
     * @param checkpoint the weights when finding them opened them (the caller closes it), else null
     *     (the caller opens {@code source.weights()})
     */
    record Opened(Gpt2Source source, Checkpoint checkpoint) {
    }

    /**
     * As {@link #find}, keeping open the checkpoint it opened to recognise the model, if any.
     *
     * @return the source, or null if {@code path} is no GPT-2 model
     */
    static Opened findKeepingOpen(Path path) throws IOException {
        return open(path, true);
    }

    private static Opened open(Path path, boolean keep) throws IOException {
        if (Files.isDirectory(path)) {
            Path config = path.resolve("config.json");
            if (Files.isRegularFile(config) && isHuggingFaceGpt2(config)
                    && HF_WEIGHT_FILES.stream().anyMatch(f -> Files.isRegularFile(path.resolve(f)))) {
                return new Opened(new Gpt2Source(Kind.HUGGING_FACE, path, config, path), null);
            }
            Path hparams = path.resolve("hparams.json");
            Path tfIndex = path.resolve("model.ckpt.index");
            if (Files.isRegularFile(hparams)
                    && (Files.isRegularFile(tfIndex) || Files.isRegularFile(path.resolve("checkpoint")))) {
                // OpenAI's files use the prefix model.ckpt; otherwise the 'checkpoint' file names it
                Path weights = Files.isRegularFile(tfIndex) ? path.resolve("model.ckpt") : path;
                return new Opened(new Gpt2Source(Kind.OPENAI_TF, weights, hparams, path), null);
            }
            Path ckpt = path.resolve("ckpt.pt");
            if (Files.isRegularFile(ckpt)) {
                if (!keep) {
                    // only recognising: nanoGPT's own file name and a PyTorch file's first bytes are
                    // enough, and spare a cold start a second read of the archive and its pickle
                    // (~50 ms); the load that follows opens it and says if its pickle is no nanoGPT one
                    return isPyTorch(ckpt) ? new Opened(new Gpt2Source(Kind.NANOGPT, ckpt, null, path), null) : null;
                }
                Checkpoint c = openNanoGpt(ckpt);
                return c == null ? null : kept(new Gpt2Source(Kind.NANOGPT, ckpt, null, path), c, keep);
            }
            return null;
        }
        if (Files.isRegularFile(path)) {
            Checkpoint c = openNanoGpt(path);
            return c == null ? null : kept(new Gpt2Source(Kind.NANOGPT, path, null, path.toAbsolutePath().getParent()), c, keep);
        }
        return null;
    }

    private static Opened kept(Gpt2Source source, Checkpoint checkpoint, boolean keep) {
        if (!keep) {
            checkpoint.close();
        }
        return new Opened(source, keep ? checkpoint : null);
    }

    private static boolean isHuggingFaceGpt2(Path config) throws IOException {
        try {
            JsonNode root = ConfigReader.readJson(config);
            return root != null && "gpt2".equals(root.path("model_type").asText(null));
        } catch (CheckpointException e) {
            return false; // not JSON: not a config this loader reads
        }
    }

    private static boolean isPyTorch(Path file) throws IOException {
        try {
            CheckpointFormat format = Checkpoints.detect(file);
            return format == CheckpointFormat.TORCH_ZIP || format == CheckpointFormat.TORCH_LEGACY;
        } catch (CheckpointException e) {
            return false;
        }
    }

    /**
     * The file opened, if it is a PyTorch file whose pickle is a dict with a {@code model_args} dict
     * and a {@code model} dict; else null (and nothing left open).
     */
    private static Checkpoint openNanoGpt(Path file) throws IOException {
        Checkpoint c = null;
        try {
            CheckpointFormat format = Checkpoints.detect(file);
            if (format != CheckpointFormat.TORCH_ZIP && format != CheckpointFormat.TORCH_LEGACY) {
                return null;
            }
            c = Checkpoints.open(file);
            if (c.content() instanceof Map<?, ?> root && root.get("model_args") instanceof Map<?, ?>
                    && root.get("model") instanceof Map<?, ?>) {
                return c;
            }
            c.close();
            return null;
        } catch (CheckpointException e) {
            // unreadable as a PyTorch checkpoint (or refused as unsafe): not a nanoGPT file for this loader
            if (c != null) {
                c.close();
            }
            return null;
        }
    }
}
