package io.github.vectorlm.neox;

import io.github.vectorlm.checkpoint.Checkpoint;
import io.github.vectorlm.checkpoint.CheckpointFormat;
import io.github.vectorlm.checkpoint.TensorInfo;
import io.github.vectorlm.checkpoint.TensorRef;
import io.github.vectorlm.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A checkpoint of tensors held in memory: a real checkpoint's tensors, edited to make bad inputs. */
final class InMemoryCheckpoint implements Checkpoint {
    private final Path path;
    private final Map<String, Tensor> tensors;

    InMemoryCheckpoint(Path path, Map<String, Tensor> tensors) {
        this.path = path;
        this.tensors = new LinkedHashMap<>(tensors);
    }

    /** Every tensor of {@code checkpoint}, copied to the heap (so it outlives the checkpoint). */
    static Map<String, Tensor> copyAll(Checkpoint checkpoint) throws IOException {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (String n : checkpoint.tensorNames()) {
            out.put(n, checkpoint.tensor(n).copyTo(java.lang.foreign.Arena.ofAuto()));
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
