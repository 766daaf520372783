package io.github.vectorlm.gpt2;

import io.github.vectorlm.checkpoint.Checkpoint;
import io.github.vectorlm.checkpoint.CheckpointException;
import io.github.vectorlm.checkpoint.TensorInfo;
import io.github.vectorlm.checkpoint.TensorRef;
import io.github.vectorlm.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The weights of a checkpoint by their state-dict keys: the checkpoint's own tensor names
 * (safetensors, TensorFlow, a Hugging Face {@code .bin}), or the keys of one dict inside a pickle
 * (nanoGPT's {@code checkpoint['model']}), each standing for a tensor of the checkpoint.
 */
final class StateDict {
    private final Checkpoint checkpoint;
    private final Map<String, String> tensorNameByKey;

    private StateDict(Checkpoint checkpoint, Map<String, String> tensorNameByKey) {
        this.checkpoint = checkpoint;
        this.tensorNameByKey = tensorNameByKey;
    }

    /** Every tensor of the checkpoint, by its name. */
    static StateDict of(Checkpoint checkpoint) {
        Map<String, String> names = new LinkedHashMap<>();
        for (String n : checkpoint.tensorNames()) {
            names.put(n, n);
        }
        return new StateDict(checkpoint, names);
    }

    /**
     * The tensors of the dict at {@code key} of a pickled checkpoint's top-level dict.
     *
     * @throws CheckpointException if there is no such dict, or it holds something other than tensors
     */
    static StateDict ofPickledDict(Checkpoint checkpoint, String key) throws CheckpointException {
        if (!(checkpoint.content() instanceof Map<?, ?> root) || !(root.get(key) instanceof Map<?, ?> dict)) {
            throw new CheckpointException(checkpoint.path(), null, "holds no '" + key + "' dict of tensors");
        }
        Map<String, String> names = new LinkedHashMap<>();
        List<String> bad = new ArrayList<>();
        for (Map.Entry<?, ?> e : dict.entrySet()) {
            if (e.getKey() instanceof String k && e.getValue() instanceof TensorRef ref) {
                names.put(k, ref.name());
            } else {
                bad.add(String.valueOf(e.getKey()));
            }
        }
        if (!bad.isEmpty()) {
            throw new CheckpointException(checkpoint.path(), null, "'" + key + "' holds entries that are not tensors: "
                    + bad);
        }
        return new StateDict(checkpoint, names);
    }

    /** The file the tensors come from. */
    Path path() {
        return checkpoint.path();
    }

    /** The keys, in the checkpoint's order. */
    List<String> keys() {
        return List.copyOf(tensorNameByKey.keySet());
    }

    boolean contains(String key) {
        return tensorNameByKey.containsKey(key);
    }

    TensorInfo info(String key) {
        return checkpoint.info(tensorName(key));
    }

    Tensor tensor(String key) throws IOException {
        return checkpoint.tensor(tensorName(key));
    }

    private String tensorName(String key) {
        String name = tensorNameByKey.get(key);
        if (name == null) {
            throw new IllegalArgumentException("no tensor '" + key + "' in " + checkpoint.path());
        }
        return name;
    }
}
