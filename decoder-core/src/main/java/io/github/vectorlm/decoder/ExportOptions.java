package io.github.vectorlm.decoder;

import io.github.vectorlm.generation.ProgressListener;
import java.nio.file.Path;
import java.util.Objects;

/**
 * How {@link ModelExport} writes a model.
 *
 * @param format a Hugging Face folder or a GGUF file
 * @param type the weights' type, or null for the type they are stored in
 * @param force whether an existing output is replaced
 * @param maxShardBytes the largest safetensors file of a Hugging Face folder before it is split into
 *     shards ({@value #DEFAULT_MAX_SHARD_BYTES}, as {@code save_pretrained}'s "5GB", by default)
 * @param tokenizer the tokenizer file to export, or null for the one beside the model
 * @param config the config file (a NeoX YAML for slim weights, or a config.json), or null for the one
 *     found beside the model
 * @param progress told of the bytes written
 */
public record ExportOptions(ExportFormat format, ExportType type, boolean force, long maxShardBytes, Path tokenizer,
        Path config, ProgressListener progress) {
    /** 5 GB, the default {@code max_shard_size} of transformers 4's {@code save_pretrained}. */
    public static final long DEFAULT_MAX_SHARD_BYTES = 5_000_000_000L;

    /**
     * Checks the combination.
     *
     * @throws IllegalArgumentException for a block type with a Hugging Face folder, or a shard size below 1
     */
    public ExportOptions {
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(progress, "progress");
        if (format == ExportFormat.HF && type != null && type.dtype() == null) {
            throw new IllegalArgumentException(type.name().toLowerCase(java.util.Locale.ROOT) + " is a GGUF block type: "
                    + "a Hugging Face folder takes f32, f16 or bf16 (export --to gguf for " + type.name().toLowerCase(
                            java.util.Locale.ROOT) + ")");
        }
        if (maxShardBytes < 1) {
            throw new IllegalArgumentException("maxShardBytes must be positive, got " + maxShardBytes);
        }
    }

    /**
     * The defaults for {@code format}: stored type, no replacing, 5 GB shards, files found beside the
     * model, no progress.
     *
     * @param format what to write
     * @return the options
     */
    public static ExportOptions of(ExportFormat format) {
        return new ExportOptions(format, null, false, DEFAULT_MAX_SHARD_BYTES, null, null, ProgressListener.NONE);
    }

    /**
     * These options with another weight type.
     *
     * @param newType the type, or null for the stored one
     * @return the options
     */
    public ExportOptions withType(ExportType newType) {
        return new ExportOptions(format, newType, force, maxShardBytes, tokenizer, config, progress);
    }

    /**
     * These options replacing an existing output, or not.
     *
     * @param replace whether to replace
     * @return the options
     */
    public ExportOptions withForce(boolean replace) {
        return new ExportOptions(format, type, replace, maxShardBytes, tokenizer, config, progress);
    }

    /**
     * These options with another shard size.
     *
     * @param bytes the largest safetensors file
     * @return the options
     */
    public ExportOptions withMaxShardBytes(long bytes) {
        return new ExportOptions(format, type, force, bytes, tokenizer, config, progress);
    }

    /**
     * These options with an explicit tokenizer file.
     *
     * @param file the tokenizer, or null
     * @return the options
     */
    public ExportOptions withTokenizer(Path file) {
        return new ExportOptions(format, type, force, maxShardBytes, file, config, progress);
    }

    /**
     * These options with an explicit config file.
     *
     * @param file the config, or null
     * @return the options
     */
    public ExportOptions withConfig(Path file) {
        return new ExportOptions(format, type, force, maxShardBytes, tokenizer, file, progress);
    }

    /**
     * These options reporting progress to {@code listener}.
     *
     * @param listener the listener
     * @return the options
     */
    public ExportOptions withProgress(ProgressListener listener) {
        return new ExportOptions(format, type, force, maxShardBytes, tokenizer, config, listener);
    }
}
