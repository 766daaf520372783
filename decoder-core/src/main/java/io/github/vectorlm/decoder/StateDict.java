package io.github.vectorlm.decoder;

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
public final class StateDict {
    private final Checkpoint checkpoint;
    private final Map<String, String> tensorNameByKey;

    private StateDict(Checkpoint checkpoint, Map<String, String> tensorNameByKey) {
        this.checkpoint = checkpoint;
        this.tensorNameByKey = tensorNameByKey;
    }

    /**
     * Every tensor of the checkpoint, by its name.
     *
     * @param checkpoint the checkpoint
     * @return its tensors
     */
    public static StateDict of(Checkpoint checkpoint) {
        Map<String, String> names = new LinkedHashMap<>();
        for (String n : checkpoint.tensorNames()) {
            names.put(n, n);
        }
        return new StateDict(checkpoint, names);
    }

    /**
     * The tensors of the dict at {@code key} of a pickled checkpoint's top-level dict.
     *
     * @param checkpoint the checkpoint
     * @param key the top-level key, e.g. nanoGPT's {@code "model"}
     * @return the dict's tensors
     * @throws CheckpointException if there is no such dict, or it holds something other than tensors
     */
    public static StateDict ofPickledDict(Checkpoint checkpoint, String key) throws CheckpointException {
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

    /**
     * The file the tensors come from.
     *
     * @return the checkpoint's path
     */
    public Path path() {
        return checkpoint.path();
    }

    /**
     * The keys, in the checkpoint's order.
     *
     * @return the keys
     */
    public List<String> keys() {
        return List.copyOf(tensorNameByKey.keySet());
    }

    /**
     * Whether there is a tensor under {@code key}.
     *
     * @param key a state-dict key
     * @return whether it is present
     */
    public boolean contains(String key) {
        return tensorNameByKey.containsKey(key);
    }

    /**
     * The dtype and shape under {@code key}, read from metadata only.
     *
     * @param key a present key
     * @return its metadata
     */
    public TensorInfo info(String key) {
        return checkpoint.info(tensorName(key));
    }

    /**
     * The tensor under {@code key}: a view of the checkpoint.
     *
     * @param key a present key
     * @return the tensor
     * @throws IOException if it cannot be read
     */
    public Tensor tensor(String key) throws IOException {
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
