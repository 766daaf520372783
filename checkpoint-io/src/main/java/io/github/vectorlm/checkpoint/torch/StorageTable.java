package io.github.vectorlm.checkpoint.torch;

import io.github.vectorlm.checkpoint.pickle.PickleException;
import io.github.vectorlm.tensor.DType;
import java.util.HashMap;
import java.util.Map;

/**
 * The storages a pickle names, one object per key: every tensor over the same key shares that
 * object, hence the same bytes (tied weights, views).
 */
final class StorageTable {
    private final Map<String, TorchStorage> roots = new HashMap<>();
    private final Map<String, TorchStorage> views = new HashMap<>();

    /** The root storage {@code key}; later references must agree with the first about type and size. */
    TorchStorage reference(String key, DType dtype, long numel, String location) throws PickleException {
        TorchStorage known = roots.get(key);
        if (known == null) {
            TorchStorage storage = TorchStorage.root(key, dtype, numel, location);
            roots.put(key, storage);
            return storage;
        }
        if (known.dtype() != dtype || known.numel() != numel) {
            throw PickleException.corrupt("storage '" + key + "' is named as " + numel + " " + dtype
                    + " elements after being named as " + known.numel() + " " + known.dtype() + " elements");
        }
        return known;
    }

    /** The view {@code viewKey} of elements {@code [offset, offset + numel)} of {@code root}. */
    TorchStorage view(TorchStorage root, String viewKey, long offset, long numel) throws PickleException {
        if (offset < 0 || numel < 0 || offset > root.numel() || numel > root.numel() - offset) {
            throw PickleException.corrupt("storage view '" + viewKey + "' of elements [" + offset + ", +" + numel
                    + ") lies outside " + root);
        }
        TorchStorage known = views.get(viewKey);
        if (known == null) {
            TorchStorage view = TorchStorage.view(root, viewKey, offset, numel);
            views.put(viewKey, view);
            return view;
        }
        if (known.root() != root || known.rootOffset() != offset || known.numel() != numel) {
            throw PickleException.corrupt("storage view '" + viewKey + "' is named twice with different ranges");
        }
        return known;
    }

    /** The root storage named {@code key}, or null. */
    TorchStorage root(String key) {
        return roots.get(key);
    }
}
