package io.github.vectorlm.testing;

import io.github.vectorlm.checkpoint.Checkpoint;
import io.github.vectorlm.checkpoint.CheckpointFormat;
import io.github.vectorlm.checkpoint.TensorInfo;
import io.github.vectorlm.checkpoint.TensorRef;
import io.github.vectorlm.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A checkpoint of tensors held in memory, for tests of the name tables and the forward pass without
 * files: random weights under a layout's names, or a real checkpoint's tensors edited into bad input.
 * Its {@link #content()} is a dict of every tensor by name, as a PyTorch state dict unpickles.
 */
public final class InMemoryCheckpoint implements Checkpoint {
    private final Path path;
    private final Map<String, Tensor> tensors;

    /** A checkpoint named {@code path} (it is never read) holding {@code tensors}, in their order. */
    public InMemoryCheckpoint(Path path, Map<String, Tensor> tensors) {
        this.path = path;
        this.tensors = new LinkedHashMap<>(tensors);
    }

    /** As above, the path given as a string. */
    public InMemoryCheckpoint(String path, Map<String, Tensor> tensors) {
        this(Path.of(path), tensors);
    }

    /** Every tensor of {@code checkpoint}, copied to memory that outlives it. */
    public static Map<String, Tensor> copyAll(Checkpoint checkpoint) throws IOException {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (String n : checkpoint.tensorNames()) {
            out.put(n, checkpoint.tensor(n).copyTo(Arena.ofAuto()));
        }
        return out;
    }

    @Override
    public Path path() {
        return path;
    }

    @Override
    public CheckpointFormat format() {
        return CheckpointFormat.SAFETENSORS;
    }

    @Override
    public List<String> tensorNames() {
        return List.copyOf(tensors.keySet());
    }

    @Override
    public TensorInfo info(String name) {
        Tensor t = get(name);
        return new TensorInfo(name, t.dtype(), t.shape());
    }

    @Override
    public Tensor tensor(String name) {
        return get(name);
    }

    @Override
    public Object content() {
        Map<String, Object> refs = new LinkedHashMap<>();
        for (String n : tensors.keySet()) {
            refs.put(n, new TensorRef(n));
        }
        return refs;
    }

    @Override
    public void close() {
    }

    private Tensor get(String name) {
        Tensor t = tensors.get(name);
        if (t == null) {
            throw new IllegalArgumentException("no tensor " + name);
        }
        return t;
    }
}
