package io.github.vectorlm.checkpoint.torch;

import io.github.vectorlm.tensor.DType;

/**
 * A pickle global the torch reader accepts, and what it stands for. Globals are inert tokens:
 * {@link TorchUnpickler} reads their {@link Kind} and builds data; nothing is ever looked up or
 * called by name.
 *
 * @param module the module as the pickle spells it (after Python 2 → 3 renaming)
 * @param name the name
 * @param kind what it is
 * @param dtype the element type of a storage type or dtype global (null if it has none we read)
 */
record TorchGlobal(String module, String name, Kind kind, DType dtype) {
    /** The roles a global can play in a torch checkpoint. */
    enum Kind {
        /** {@code torch._utils._rebuild_tensor(storage, offset, size, stride)} */
        REBUILD_TENSOR,
        /** {@code torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks[, metadata])} */
        REBUILD_TENSOR_V2,
        /** {@code torch._utils._rebuild_tensor_v3(untyped storage, offset, size, stride, requires_grad, hooks, dtype[, metadata])} */
        REBUILD_TENSOR_V3,
        /** {@code torch._utils._rebuild_parameter(tensor, requires_grad, hooks)} */
        REBUILD_PARAMETER,
        /** {@code torch._utils._rebuild_parameter_with_state(tensor, requires_grad, hooks, state)} */
        REBUILD_PARAMETER_WITH_STATE,
        /** {@code torch._tensor._rebuild_from_type_v2(func, type, args, state)}: a tensor with Python attributes */
        REBUILD_FROM_TYPE_V2,
        /** {@code torch.Tensor}, {@code torch.nn.parameter.Parameter}: types, as arguments */
        TENSOR_TYPE,
        /** {@code torch.FloatStorage} and friends: named in storage persistent ids */
        STORAGE_TYPE,
        /** {@code torch.float32} and friends: dtype values */
        DTYPE,
        /** {@code collections.OrderedDict} */
        ORDERED_DICT,
        /** {@code torch.Size} */
        SIZE,
        /** {@code torch.device} */
        DEVICE,
        /** {@code _codecs.encode}: how protocol 2 writes bytes */
        CODECS_ENCODE,
        /** {@code builtins.set} */
        SET,
        /** {@code builtins.frozenset} */
        FROZENSET,
        /** {@code builtins.bytearray} */
        BYTEARRAY,
        /** a global the caller allowed: recorded as a PickledObject, never called */
        EXTRA
    }

    /** {@code module.name}. */
    String qualifiedName() {
        return module + "." + name;
    }

    @Override
    public String toString() {
        return qualifiedName();
    }
}
