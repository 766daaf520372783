package io.github.vectorlm.checkpoint;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reads TensorFlow tensor bundles ({@code tf.train.Saver} / {@code tf.train.Checkpoint} V2
 * format), such as OpenAI's GPT-2 release: {@code model.ckpt.index} plus
 * {@code model.ckpt.data-00000-of-00001}.
 *
 * <p>The index is a LevelDB-format table whose entry {@code ""} is a {@code BundleHeaderProto}
 * and every other entry a {@code BundleEntryProto} (dtype, shape, shard, offset, size, masked
 * CRC-32C); the protobuf wire format is decoded by hand. Every block CRC of the index is checked
 * on open; tensors are views of the memory-mapped data shards, and each tensor's CRC-32C is
 * verified the first time it is read unless {@link CheckpointOptions#verifyChecksums()} is off,
 * so a flipped byte is reported as a {@link CorruptCheckpointException}, never returned as numbers.
 *
 * <p>Supported dtypes: float, double, half, bfloat16, float8 (e4m3fn, e5m2), int8/16/32/64,
 * uint8/16/32/64, bool as tensors; string tensors appear in {@link Checkpoint#content()} (under
 * {@code "tensors"}) as {@code byte[]} (scalars) or nested lists of {@code byte[]}, not in
 * {@link Checkpoint#tensorNames()}. Partitioned (sliced) variables are listed, with their full
 * shape, but {@link Checkpoint#tensor(String)} refuses them with an
 * {@link UnsupportedCheckpointException} naming the variable. Other dtypes (complex, quantized,
 * resource, variant) make {@link #open} fail with an {@link UnsupportedCheckpointException}
 * naming the tensor and its dtype.
 *
 * <pre>{@code
 * try (Checkpoint ckpt = TfBundleReader.open(Path.of("models/124M/model.ckpt.index"),
 *         CheckpointOptions.defaults())) {
 *     Tensor wte = ckpt.tensor("model/wte");   // CRC checked here, once
 * }
 * }</pre>
 */
public final class TfBundleReader {
    /** Largest {@code checkpoint} pointer file read; real ones are a few hundred bytes. */
    private static final long MAX_CHECKPOINT_FILE_BYTES = 1 << 20;

    private TfBundleReader() {
    }

    /**
     * Opens a bundle from its index file ({@code <prefix>.index}); the data shards
     * {@code <prefix>.data-NNNNN-of-NNNNN} must lie beside it. Reads and checks the whole index;
     * maps the shards; reads no tensor data except string tensors.
     *
     * @throws CorruptCheckpointException if the index or an entry is inconsistent, or a shard is missing
     * @throws UnsupportedCheckpointException for big-endian bundles, unknown versions or dtypes
     */
    public static Checkpoint open(Path indexFile, CheckpointOptions options) throws IOException {
        return TfBundleCheckpoint.open(indexFile, options);
    }

    /**
     * The index file named by a folder's TensorFlow {@code checkpoint} pointer file (its
     * {@code model_checkpoint_path: "model.ckpt"} line), or null if the folder has no such file or
     * line. A relative path is taken from the folder; an absolute one that does not exist (a
     * folder copied from another machine) falls back to its file name inside the folder.
     *
     * @throws NoSuchFileException if the named bundle's index is not there
     */
    public static Path indexFromFolder(Path folder) throws IOException {
        Path pointer = folder.resolve("checkpoint");
        if (!Files.isRegularFile(pointer) || Files.size(pointer) > MAX_CHECKPOINT_FILE_BYTES) {
            return null;
        }
        String prefix = null;
        for (String line : Files.readString(pointer, StandardCharsets.UTF_8).split("\n")) {
            String trimmed = line.strip();
            if (trimmed.startsWith("model_checkpoint_path:")) {
                prefix = unquote(trimmed.substring("model_checkpoint_path:".length()).strip());
                break;
            }
        }
        if (prefix == null || prefix.isEmpty()) {
            return null;
        }
        Path named = folder.resolve(prefix);
        Path index = named.resolveSibling(named.getFileName() + ".index");
        if (Files.isRegularFile(index)) {
            return index;
        }
        Path local = folder.resolve(named.getFileName() + ".index");
        if (Files.isRegularFile(local)) {
            return local;
        }
        throw new NoSuchFileException(index.toString(), null, "named by " + pointer);
    }

    /** Undoes a text-format protobuf string literal: quotes and C escapes ({@code \" \\ \n \t \NNN}). */
    private static String unquote(String literal) {
        if (literal.length() < 2 || (literal.charAt(0) != '"' && literal.charAt(0) != '\'')) {
            return literal;
        }
        char quote = literal.charAt(0);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        byte[] in = literal.getBytes(StandardCharsets.UTF_8);
        for (int i = 1; i < in.length; i++) {
            byte c = in[i];
            if (c == quote) {
                break;
            }
            if (c == '\\' && i + 1 < in.length) {
                byte e = in[++i];
                if (e >= '0' && e <= '7') {
                    int value = 0;
                    int digits = 0;
                    while (digits < 3 && i < in.length && in[i] >= '0' && in[i] <= '7') {
                        value = value * 8 + (in[i++] - '0');
                        digits++;
                    }
                    i--;
                    out.write(value);
                } else {
                    out.write(switch (e) {
                        case 'n' -> '\n';
                        case 't' -> '\t';
                        case 'r' -> '\r';
                        default -> e;
                    });
                }
            } else {
                out.write(c);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
