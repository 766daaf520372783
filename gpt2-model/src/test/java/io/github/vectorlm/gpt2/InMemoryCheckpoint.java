package io.github.vectorlm.gpt2;

import io.github.vectorlm.checkpoint.Checkpoint;
import io.github.vectorlm.checkpoint.CheckpointFormat;
import io.github.vectorlm.checkpoint.TensorInfo;
import io.github.vectorlm.checkpoint.TensorRef;
import io.github.vectorlm.tensor.Tensor;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A checkpoint of heap tensors, for tests of the name tables and the forward pass without files. */
final class InMemoryCheckpoint implements Checkpoint {
    private final Path path;
    private final Map<String, Tensor> tensors;

    InMemoryCheckpoint(String name, Map<String, Tensor> tensors) {
        this.path = Path.of(name);
        this.tensors = new LinkedHashMap<>(tensors);
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

    /** A nanoGPT-like pickle: {"model": {key: ref}, "model_args": {...}} is not modelled; tensors only. */
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
