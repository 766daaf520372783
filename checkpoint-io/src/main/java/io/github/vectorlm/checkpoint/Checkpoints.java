package io.github.vectorlm.checkpoint;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * Opens any supported checkpoint, recognising the format from the bytes, not the file name.
 *
 * <p>{@code path} may be a file, a TensorFlow bundle prefix ({@code model.ckpt} for
 * {@code model.ckpt.index} + {@code model.ckpt.data-*}), a Hugging Face {@code *.index.json}
 * shard map, or a folder holding one of the usual files ({@code model.safetensors},
 * {@code pytorch_model.bin}, their {@code .index.json}, or a TensorFlow {@code checkpoint}). GGUF
 * files are recognised by their magic bytes ({@link GgufReader}).
 *
 * <p>PyTorch files ({@code torch.save}, zip or legacy format) name each tensor by its path in the
 * pickled object: dict keys and list or tuple indices joined by {@code '.'}. A state dict gives
 * {@code transformer.wte.weight}; a nanoGPT checkpoint gives
 * {@code model._orig_mod.transformer.wte.weight}, {@code optimizer.state.0.exp_avg} and
 * {@code best_val_loss} (a 0-d tensor). A tensor object stored at several places is named at each;
 * a repeated name gets a {@code #2}, {@code #3}... suffix. {@link Checkpoint#content()} is the whole
 * unpickled object. Only the pickle globals that tensors and plain containers need are accepted;
 * {@link CheckpointOptions#extraPickleGlobals()} accepts more, as {@link PickledObject} data.
 */
public final class Checkpoints {
    /** Last 8 bytes of a LevelDB table, which is what a TensorFlow bundle's index is. */
    static final long LEVELDB_TABLE_MAGIC = 0xdb4775248b80fb57L;

    private static final List<String> FOLDER_FILES = List.of(
            "model.safetensors.index.json", "model.safetensors",
            "pytorch_model.bin.index.json", "pytorch_model.bin");

    private Checkpoints() {
    }

    /** Opens {@code path} with {@link CheckpointOptions#defaults()}. */
    public static Checkpoint open(Path path) throws IOException {
        return open(path, CheckpointOptions.defaults());
    }

    /**
     * Opens {@code path}, reading and validating metadata only.
     *
     * @throws NoSuchFileException if nothing is there
     * @throws UnsupportedCheckpointException if the bytes are no format this library reads
     * @throws CheckpointException if the file is corrupt or unsafe
     */
    public static Checkpoint open(Path path, CheckpointOptions options) throws IOException {
        Path file = resolve(path);
        CheckpointFormat format = detect(file);
        return switch (format) {
            case TORCH_ZIP -> TorchCheckpoints.openZip(file, options);
            case TORCH_LEGACY -> TorchCheckpoints.openLegacy(file, options);
            case SAFETENSORS -> SafetensorsReader.open(file);
            case TENSORFLOW_BUNDLE -> TfBundleReader.open(file, options);
            case SHARDED -> ShardedCheckpoint.open(file, options);
            case GGUF -> GgufReader.open(file);
        };
    }

    /**
     * The format of the file at {@code file}, from its first and last bytes.
     *
     * @throws UnsupportedCheckpointException if it is none of {@link CheckpointFormat}
     */
    public static CheckpointFormat detect(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            ByteBuffer head = ByteBuffer.allocate((int) Math.min(size, 16)).order(ByteOrder.LITTLE_ENDIAN);
            channel.read(head, 0);
            head.flip();
            if (head.remaining() >= 4 && head.getInt(0) == 0x04034b50) {
                return CheckpointFormat.TORCH_ZIP;
            }
            if (head.remaining() >= 4 && head.getInt(0) == GgufCheckpoint.MAGIC) {
                return CheckpointFormat.GGUF;
            }
            // safetensors before the pickle test: a header length such as 0x0480 starts with the bytes
            // 80 04, a pickle's PROTO opcode; a legacy torch file's byte 8 is inside its magic number, never '{'
            if (head.remaining() >= 9 && head.get(8) == '{') {
                long headerLength = head.getLong(0);
                if (headerLength > 0 && headerLength <= size - 8) {
                    return CheckpointFormat.SAFETENSORS;
                }
            }
            if (head.remaining() >= 2 && (head.get(0) & 0xff) == 0x80 && head.get(1) >= 2 && head.get(1) <= 5) {
                return CheckpointFormat.TORCH_LEGACY;
            }
            if (size >= 48) {
                ByteBuffer tail = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
                channel.read(tail, size - 8);
                if (tail.getLong(0) == LEVELDB_TABLE_MAGIC) {
                    return CheckpointFormat.TENSORFLOW_BUNDLE;
                }
            }
            if (head.remaining() >= 1 && looksLikeShardIndex(file, head.get(0))) {
                return CheckpointFormat.SHARDED;
            }
        }
        throw new UnsupportedCheckpointException(file, null,
                "not a checkpoint this library reads (expected a PyTorch zip or pickle, safetensors, "
                        + "a TensorFlow bundle index, a Hugging Face *.index.json or GGUF)");
    }

    private static boolean looksLikeShardIndex(Path file, byte first) throws IOException {
        if (first != '{' && first != ' ' && first != '\n') {
            return false;
        }
        byte[] start = new byte[4096];
        int n;
        try (InputStream in = Files.newInputStream(file)) {
            n = in.readNBytes(start, 0, start.length);
        }
        return new String(start, 0, n, StandardCharsets.UTF_8).contains("\"weight_map\"");
    }

    /** Turns a folder or a TensorFlow prefix into the file to open. */
    static Path resolve(Path path) throws IOException {
        if (Files.isDirectory(path)) {
            for (String name : FOLDER_FILES) {
                Path candidate = path.resolve(name);
                if (Files.isRegularFile(candidate)) {
                    return candidate;
                }
            }
            Path tfIndex = TfBundleReader.indexFromFolder(path);
            if (tfIndex != null) {
                return tfIndex;
            }
            throw new UnsupportedCheckpointException(path, null, "folder holds none of " + FOLDER_FILES
                    + " nor a TensorFlow 'checkpoint' file");
        }
        if (!Files.exists(path)) {
            Path index = path.resolveSibling(path.getFileName() + ".index");
            if (Files.isRegularFile(index)) {
                return index;
            }
            throw new NoSuchFileException(path.toString());
        }
        return path;
    }
}
