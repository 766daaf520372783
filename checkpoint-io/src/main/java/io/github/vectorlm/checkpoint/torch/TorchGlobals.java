package io.github.vectorlm.checkpoint.torch;

import io.github.vectorlm.checkpoint.pickle.PickleException;
import io.github.vectorlm.checkpoint.torch.TorchGlobal.Kind;
import io.github.vectorlm.tensor.DType;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The allow-list: the globals {@code torch.save} writes for tensors, parameters, state dicts,
 * optimizer states and nanoGPT-style checkpoint dicts (PyTorch 1.x and 2.x), plus the callers'
 * extra globals. Any other global is refused by name, before anything is built from it.
 *
 * <p>Some globals are known and harmless but describe data this reader does not implement
 * (complex and quantized storages, sparse and nested tensors); they are refused as unsupported,
 * not as unsafe.
 */
final class TorchGlobals {
    /** Python 3's pickle writes these Python 3 modules under their Python 2 names at protocols 0 to 2. */
    private static final Map<String, String> PYTHON2_MODULES = Map.of("__builtin__", "builtins", "copy_reg", "copyreg");

    private static final Map<String, String> KNOWN_UNSUPPORTED = Map.ofEntries(
            Map.entry("torch.ComplexFloatStorage", "complex64 tensors"),
            Map.entry("torch.ComplexDoubleStorage", "complex128 tensors"),
            Map.entry("torch.QInt8Storage", "quantized tensors"),
            Map.entry("torch.QUInt8Storage", "quantized tensors"),
            Map.entry("torch.QInt32Storage", "quantized tensors"),
            Map.entry("torch.QUInt4x2Storage", "quantized tensors"),
            Map.entry("torch.QUInt2x4Storage", "quantized tensors"),
            Map.entry("torch._utils._rebuild_qtensor", "quantized tensors"),
            Map.entry("torch._utils._rebuild_sparse_tensor", "sparse tensors"),
            Map.entry("torch._utils._rebuild_sparse_csr_tensor", "sparse tensors"),
            Map.entry("torch._utils._rebuild_nested_tensor", "nested tensors"),
            Map.entry("torch._utils._rebuild_meta_tensor_no_storage", "meta tensors (they have no data)"),
            Map.entry("torch._utils._rebuild_wrapper_subclass", "tensor wrapper subclasses (DTensor and friends)"),
            Map.entry("torch._utils._rebuild_device_tensor_from_numpy", "tensors pickled through numpy arrays"),
            Map.entry("torch._utils._rebuild_device_tensor_from_cpu_tensor", "device tensors pickled through CPU copies"),
            Map.entry("torch.serialization._get_layout", "sparse tensor layouts"));

    private final Map<String, TorchGlobal> allowed = new HashMap<>();

    /** The built-in allow-list plus {@code extras} ({@code "module.name"}, recorded as data only). */
    TorchGlobals(Set<String> extras) {
        String utils = "torch._utils";
        add(utils, "_rebuild_tensor", Kind.REBUILD_TENSOR, null);
        add(utils, "_rebuild_tensor_v2", Kind.REBUILD_TENSOR_V2, null);
        add(utils, "_rebuild_tensor_v3", Kind.REBUILD_TENSOR_V3, null);
        add(utils, "_rebuild_parameter", Kind.REBUILD_PARAMETER, null);
        add(utils, "_rebuild_parameter_with_state", Kind.REBUILD_PARAMETER_WITH_STATE, null);
        add("torch._tensor", "_rebuild_from_type_v2", Kind.REBUILD_FROM_TYPE_V2, null);
        add("torch", "Tensor", Kind.TENSOR_TYPE, null);
        add("torch.nn.parameter", "Parameter", Kind.TENSOR_TYPE, null);
        add("torch", "FloatStorage", Kind.STORAGE_TYPE, DType.F32);
        add("torch", "HalfStorage", Kind.STORAGE_TYPE, DType.F16);
        add("torch", "BFloat16Storage", Kind.STORAGE_TYPE, DType.BF16);
        add("torch", "DoubleStorage", Kind.STORAGE_TYPE, DType.F64);
        add("torch", "LongStorage", Kind.STORAGE_TYPE, DType.I64);
        add("torch", "IntStorage", Kind.STORAGE_TYPE, DType.I32);
        add("torch", "ShortStorage", Kind.STORAGE_TYPE, DType.I16);
        add("torch", "CharStorage", Kind.STORAGE_TYPE, DType.I8);
        add("torch", "ByteStorage", Kind.STORAGE_TYPE, DType.U8);
        add("torch", "BoolStorage", Kind.STORAGE_TYPE, DType.BOOL);
        // bytes without a type: torch 1.13 spells it torch.storage.UntypedStorage, 2.x torch.UntypedStorage
        add("torch", "UntypedStorage", Kind.STORAGE_TYPE, DType.U8);
        add("torch.storage", "UntypedStorage", Kind.STORAGE_TYPE, DType.U8);
        add("torch", "float32", Kind.DTYPE, DType.F32);
        add("torch", "float16", Kind.DTYPE, DType.F16);
        add("torch", "bfloat16", Kind.DTYPE, DType.BF16);
        add("torch", "float64", Kind.DTYPE, DType.F64);
        add("torch", "float8_e4m3fn", Kind.DTYPE, DType.F8_E4M3);
        add("torch", "float8_e5m2", Kind.DTYPE, DType.F8_E5M2);
        add("torch", "int64", Kind.DTYPE, DType.I64);
        add("torch", "int32", Kind.DTYPE, DType.I32);
        add("torch", "int16", Kind.DTYPE, DType.I16);
        add("torch", "int8", Kind.DTYPE, DType.I8);
        add("torch", "uint8", Kind.DTYPE, DType.U8);
        add("torch", "uint16", Kind.DTYPE, DType.U16);
        add("torch", "uint32", Kind.DTYPE, DType.U32);
        add("torch", "uint64", Kind.DTYPE, DType.U64);
        add("torch", "bool", Kind.DTYPE, DType.BOOL);
        // dtypes with no DType: fine as values (a config may name them), refused as tensor types
        for (String name : new String[] {"complex32", "complex64", "complex128", "qint8", "quint8", "qint32",
            "quint4x2", "quint2x4"}) {
            add("torch", name, Kind.DTYPE, null);
        }
        add("collections", "OrderedDict", Kind.ORDERED_DICT, null);
        add("torch", "Size", Kind.SIZE, null);
        add("torch", "device", Kind.DEVICE, null);
        add("_codecs", "encode", Kind.CODECS_ENCODE, null);
        add("builtins", "set", Kind.SET, null);
        add("builtins", "frozenset", Kind.FROZENSET, null);
        add("builtins", "bytearray", Kind.BYTEARRAY, null);
        for (String extra : extras) {
            int dot = extra.lastIndexOf('.');
            if (dot <= 0 || dot == extra.length() - 1) {
                throw new IllegalArgumentException("extra pickle global '" + extra + "' is not of the form module.name");
            }
            allowed.putIfAbsent(extra, new TorchGlobal(extra.substring(0, dot), extra.substring(dot + 1), Kind.EXTRA, null));
        }
    }

    private void add(String module, String name, Kind kind, DType dtype) {
        allowed.put(module + "." + name, new TorchGlobal(module, name, kind, dtype));
    }

    /**
     * The token for {@code module.name} as a pickle spells it.
     *
     * @throws PickleException unsafe for a global outside the allow-list, unsupported for one
     *     known to describe data this reader does not implement
     */
    TorchGlobal resolve(String module, String name) throws PickleException {
        String python3Module = PYTHON2_MODULES.getOrDefault(module, module);
        String qualified = python3Module + "." + name;
        TorchGlobal global = allowed.get(qualified);
        if (global != null) {
            return global;
        }
        String spelled = python3Module.equals(module) ? qualified : module + "." + name + " (" + qualified + ")";
        String unsupported = KNOWN_UNSUPPORTED.get(qualified);
        if (unsupported != null) {
            throw PickleException.unsupported("global " + spelled + ": " + unsupported + " are not supported");
        }
        throw PickleException.unsafe("global " + spelled + " is not on the allow-list of torch checkpoint globals;"
                + " refused without importing or calling it (a caller who trusts it can accept it as data"
                + " with CheckpointOptions.withExtraPickleGlobals)");
    }
}
