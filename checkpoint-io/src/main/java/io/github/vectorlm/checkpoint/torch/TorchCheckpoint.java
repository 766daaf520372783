package io.github.vectorlm.checkpoint.torch;

import io.github.vectorlm.checkpoint.Checkpoint;
import io.github.vectorlm.checkpoint.CheckpointFormat;
import io.github.vectorlm.checkpoint.CorruptCheckpointException;
import io.github.vectorlm.checkpoint.TensorInfo;
import io.github.vectorlm.tensor.MappedFile;
import io.github.vectorlm.tensor.Shape;
import io.github.vectorlm.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An open {@code torch.save} file: tensors validated at open, viewed in the mapped file (or in
 * memory filled on first use, for compressed or big-endian storages, owned by this object).
 */
final class TorchCheckpoint implements Checkpoint {
    private final Path path;
    private final CheckpointFormat format;
    private final MappedFile mapped;
    private final Arena filled;
    private final Map<String, TorchTensorSpec> tensors;
    private final Map<String, TensorInfo> infos = new LinkedHashMap<>();
    private final List<String> names;
    private final Object content;
    private volatile boolean closed;

    /**
     * @param mapped the file's mapping, closed with this checkpoint
     * @param filled where storages that are not mapped live, closed with this checkpoint
     * @param tensors the validated tensors, in file order
     * @param content the public content
     */
    TorchCheckpoint(Path path, CheckpointFormat format, MappedFile mapped, Arena filled,
            Map<String, TorchTensorSpec> tensors, Object content) {
        this.path = path;
        this.format = format;
        this.mapped = mapped;
        this.filled = filled;
        this.tensors = tensors;
        this.content = content;
        for (Map.Entry<String, TorchTensorSpec> e : tensors.entrySet()) {
            TorchTensorSpec t = e.getValue();
            infos.put(e.getKey(), new TensorInfo(e.getKey(), t.dtype(), Shape.of(t.shape())));
        }
        this.names = List.copyOf(tensors.keySet());
    }

    @Override
    public Path path() {
        return path;
    }

    @Override
    public CheckpointFormat format() {
        return format;
    }

    @Override
    public List<String> tensorNames() {
        return names;
    }

    @Override
    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    @Override
    public TensorInfo info(String name) {
        TensorInfo info = infos.get(name);
        if (info == null) {
            throw new IllegalArgumentException("no tensor '" + name + "' in " + path);
        }
        return info;
    }

    @Override
    public Tensor tensor(String name) throws IOException {
        TorchTensorSpec spec = tensors.get(name);
        if (spec == null) {
            throw new IllegalArgumentException("no tensor '" + name + "' in " + path);
        }
        if (closed) {
            throw new IllegalStateException(path + " is closed");
        }
        MemorySegment bytes = spec.storage().segment();
        try {
            return Tensor.of(spec.dtype(), Shape.of(spec.shape()), spec.strides(), bytes, spec.byteOffset());
        } catch (IllegalArgumentException e) {
            // validated at open; reaching this means the storage's bytes changed size
            throw new CorruptCheckpointException(path, name, e.getMessage(), e);
        }
    }

    @Override
    public Object content() {
        return content;
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            filled.close();
            mapped.close();
        }
    }

    @Override
    public String toString() {
        return "TorchCheckpoint[" + path + ", " + format + ", " + names.size() + " tensors]";
    }
}
