package io.github.vectorlm.checkpoint.torch;

import io.github.vectorlm.checkpoint.CheckpointException;
import io.github.vectorlm.checkpoint.CorruptCheckpointException;
import io.github.vectorlm.checkpoint.TensorRef;
import io.github.vectorlm.checkpoint.pickle.ContentWalker;
import io.github.vectorlm.checkpoint.pickle.PickleLimits;
import io.github.vectorlm.tensor.DType;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Names the tensors of an unpickled torch object and turns it into public content: each tensor
 * (and each storage pickled on its own, read as a 1-D tensor) is checked against its storage and
 * replaced by a {@link TensorRef}; a bare global (a dtype, say) becomes its name. The naming rule
 * is {@link ContentWalker}'s.
 */
final class TorchContent implements ContentWalker.LeafConverter {
    /** Finds a root storage's bytes when the first tensor over it is named. */
    interface StorageResolver {
        /**
         * Called for every tensor over {@code root}: resolves it ({@link TorchStorage#resolve}) for
         * its first tensor, whose element type {@code tensorDtype} says, over an untyped storage, how
         * to read its bytes; checks later tensors against that; throws naming {@code tensorName}.
         */
        void resolve(TorchStorage root, String tensorName, DType tensorDtype) throws CheckpointException;
    }

    private final Path file;
    private final StorageResolver resolver;
    private final Map<String, TorchTensorSpec> tensors = new LinkedHashMap<>();
    private final ContentWalker walker;

    TorchContent(Path file, PickleLimits limits, StorageResolver resolver) {
        this.file = file;
        this.resolver = resolver;
        this.walker = new ContentWalker(file, limits, this);
    }

    /** Walks the unpickled object; returns the public content. */
    Object walk(Object root) throws CheckpointException {
        return walker.walk(root);
    }

    /** The named tensors, in file order. */
    Map<String, TorchTensorSpec> tensors() {
        return tensors;
    }

    @Override
    public Object convert(Object leaf, ContentWalker.Names names) throws CheckpointException {
        return switch (leaf) {
            case TorchTensorSpec tensor -> add(names.uniqueName(), tensor);
            case TorchStorage storage -> add(names.uniqueName(), TorchTensorSpec.wholeStorage(storage));
            case TorchGlobal global -> global.qualifiedName();
            case null, default -> leaf;
        };
    }

    private TensorRef add(String name, TorchTensorSpec tensor) throws CheckpointException {
        resolver.resolve(tensor.storage().root(), name, tensor.dtype());
        String problem = tensor.problem();
        if (problem != null) {
            throw new CorruptCheckpointException(file, name, problem);
        }
        tensors.put(name, tensor);
        return new TensorRef(name);
    }
}
