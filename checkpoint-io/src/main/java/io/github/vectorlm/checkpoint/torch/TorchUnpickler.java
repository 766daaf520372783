package io.github.vectorlm.checkpoint.torch;

import static io.github.vectorlm.checkpoint.pickle.PickleMachine.describe;

import io.github.vectorlm.checkpoint.ReaderLimits;
import io.github.vectorlm.checkpoint.pickle.PickleException;
import io.github.vectorlm.checkpoint.pickle.PickleHandler;
import io.github.vectorlm.checkpoint.pickle.PickleMachine;
import io.github.vectorlm.checkpoint.pickle.PyObject;
import io.github.vectorlm.checkpoint.pickle.PySet;
import io.github.vectorlm.checkpoint.pickle.PyTuple;
import io.github.vectorlm.checkpoint.torch.TorchGlobal.Kind;
import io.github.vectorlm.tensor.DType;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the allowed globals of a {@code torch.save} pickle mean, as data: tensor rebuild calls
 * become {@link TorchTensorSpec}s over {@link TorchStorage}s named by persistent ids;
 * {@code OrderedDict}, {@code torch.Size}, {@code torch.device}, {@code _codecs.encode}, sets and
 * bytearrays become plain values; callers' extra globals become {@link PyObject} records. Nothing
 * is called.
 */
final class TorchUnpickler implements PickleHandler {
    private final TorchGlobals globals;
    private final StorageTable storages;

    TorchUnpickler(TorchGlobals globals, StorageTable storages) {
        this.globals = globals;
        this.storages = storages;
    }

    @Override
    public Object global(String module, String name) throws PickleException {
        return globals.resolve(module, name);
    }

    @Override
    public Object reduce(Object callable, PyTuple args) throws PickleException {
        if (!(callable instanceof TorchGlobal global)) {
            throw PickleException.corrupt("REDUCE calls " + describe(callable) + ", which is no global");
        }
        return switch (global.kind()) {
            case REBUILD_TENSOR -> rebuildTensor(global, args, 4, 4, null);
            case REBUILD_TENSOR_V2 -> rebuildTensor(global, args, 6, 7, null);
            case REBUILD_TENSOR_V3 -> {
                arity(global, args, 7, 8);
                yield rebuildTensor(global, args, 7, 8, tensorDtype(args.get(6)));
            }
            case REBUILD_PARAMETER -> {
                arity(global, args, 3, 3);
                yield tensor(global, args.get(0));
            }
            case REBUILD_PARAMETER_WITH_STATE -> {
                arity(global, args, 4, 4);
                yield tensor(global, args.get(0));
            }
            case REBUILD_FROM_TYPE_V2 -> rebuildFromType(global, args);
            case ORDERED_DICT -> orderedDict(args);
            case SIZE -> {
                arity(global, args, 1, 1);
                yield new PyTuple(longs(global, args.get(0), "sizes").toArray());
            }
            case DEVICE -> device(global, args);
            case CODECS_ENCODE -> encode(global, args);
            case SET, FROZENSET -> set(global, args);
            case BYTEARRAY -> bytearray(global, args);
            case EXTRA -> new PyObject(global.module(), global.name(), args);
            case TENSOR_TYPE, STORAGE_TYPE, DTYPE -> throw PickleException.corrupt(
                    "REDUCE calls " + global + ", which torch.save never calls");
        };
    }

    @Override
    public Object newObject(Object cls, PyTuple args, Map<Object, Object> kwargs) throws PickleException {
        if (!(cls instanceof TorchGlobal global)) {
            throw PickleException.corrupt("NEWOBJ on " + describe(cls) + ", which is no class");
        }
        if (!kwargs.isEmpty() && global.kind() != Kind.EXTRA) {
            throw PickleException.corrupt("NEWOBJ_EX with keyword arguments for " + global);
        }
        return switch (global.kind()) {
            case EXTRA -> {
                if (!kwargs.isEmpty()) {
                    throw PickleException.unsupported("keyword arguments to " + global + " (NEWOBJ_EX)");
                }
                yield new PyObject(global.module(), global.name(), args);
            }
            case TENSOR_TYPE -> {
                // Parameter.__new__(cls, data, requires_grad): the data is the tensor
                if (args.isEmpty()) {
                    throw PickleException.corrupt("NEWOBJ of " + global + " without data");
                }
                yield tensor(global, args.get(0));
            }
            case ORDERED_DICT -> new LinkedHashMap<>();
            case SET, FROZENSET -> args.isEmpty() ? new PySet() : set(global, args);
            default -> throw PickleException.corrupt("NEWOBJ of " + global + ", which torch.save never instantiates");
        };
    }

    @Override
    public Object build(Object target, Object state) throws PickleException {
        if (target instanceof PyObject object) {
            if (object.state() instanceof Map<?, ?> old && state instanceof Map<?, ?> more) {
                @SuppressWarnings("unchecked")
                Map<Object, Object> merged = (Map<Object, Object>) old;
                merged.putAll(more); // BUILD updates __dict__
            } else {
                object.setState(state);
            }
            return object;
        }
        if (target instanceof Map || target instanceof TorchTensorSpec) {
            // Python attributes of an OrderedDict (a state_dict's _metadata) or of a tensor: not data we expose
            return target;
        }
        throw PickleException.corrupt("BUILD on " + describe(target));
    }

    @Override
    public Object persistentLoad(Object pid) throws PickleException {
        if (!(pid instanceof PyTuple id) || id.isEmpty()) {
            throw PickleException.corrupt("persistent id " + describe(pid) + "; torch.save writes tuples");
        }
        if ("module".equals(id.get(0))) {
            throw PickleException.unsupported("the file pickles a whole nn.Module (torch.save(model)), which needs"
                    + " its Python class to load; save and read model.state_dict() instead");
        }
        if (!"storage".equals(id.get(0)) || (id.size() != 5 && id.size() != 6)) {
            throw PickleException.corrupt("persistent id " + describeTuple(id)
                    + "; torch.save writes ('storage', type, key, location, numel[, view])");
        }
        if (!(id.get(1) instanceof TorchGlobal type) || type.kind() != Kind.STORAGE_TYPE) {
            throw PickleException.corrupt("persistent id names storage type " + describe(id.get(1)));
        }
        String key = string(id.get(2), "storage key");
        String location = string(id.get(3), "storage location");
        long numel = nonNegative(id.get(4), "storage " + key + " element count");
        TorchStorage root = storages.reference(key, type.dtype(), numel, location);
        if (id.size() == 6 && id.get(5) != null) {
            // ('storage', type, root key, location, root numel, (view key, offset, numel)): legacy storage views
            if (!(id.get(5) instanceof PyTuple view) || view.size() != 3) {
                throw PickleException.corrupt("storage view metadata " + describe(id.get(5)));
            }
            return storages.view(root, string(view.get(0), "view key"), nonNegative(view.get(1), "view offset"),
                    nonNegative(view.get(2), "view size"));
        }
        return root;
    }

    // ---- rebuild calls

    private static TorchTensorSpec rebuildTensor(TorchGlobal global, PyTuple args, int min, int max, DType dtype)
            throws PickleException {
        arity(global, args, min, max);
        if (!(args.get(0) instanceof TorchStorage storage)) {
            throw PickleException.corrupt(global + " needs a storage first, got " + describe(args.get(0)));
        }
        long offset = integer(args.get(1), "storage_offset");
        long[] size = longs(global, args.get(2), "size").stream().mapToLong(Long::longValue).toArray();
        long[] stride = longs(global, args.get(3), "stride").stream().mapToLong(Long::longValue).toArray();
        if (size.length != stride.length) {
            throw PickleException.corrupt(global + " with " + size.length + " sizes but " + stride.length + " strides");
        }
        return new TorchTensorSpec(storage, dtype == null ? storage.dtype() : dtype, offset, size, stride);
    }

    private TorchTensorSpec rebuildFromType(TorchGlobal global, PyTuple args) throws PickleException {
        arity(global, args, 4, 4);
        // (func, type, func's args, Python attributes): the tensor is func(*args); type and attributes are Python-only
        if (!(args.get(0) instanceof TorchGlobal func) || func.kind() == Kind.REBUILD_FROM_TYPE_V2
                || !func.kind().name().startsWith("REBUILD_")) {
            throw PickleException.corrupt(global + " needs a tensor rebuild function, got " + describe(args.get(0)));
        }
        if (!(args.get(2) instanceof PyTuple funcArgs)) {
            throw PickleException.corrupt(global + " needs a tuple of arguments, got " + describe(args.get(2)));
        }
        return tensor(global, reduce(func, funcArgs));
    }

    private static TorchTensorSpec tensor(TorchGlobal global, Object value) throws PickleException {
        if (value instanceof TorchTensorSpec tensor) {
            return tensor;
        }
        throw PickleException.corrupt(global + " needs a tensor, got " + describe(value));
    }

    private static DType tensorDtype(Object value) throws PickleException {
        if (value instanceof TorchGlobal g && g.kind() == Kind.DTYPE) {
            if (g.dtype() == null) {
                throw PickleException.unsupported(g + " tensors are not supported");
            }
            return g.dtype();
        }
        throw PickleException.corrupt("expected a dtype, got " + describe(value));
    }

    // ---- plain values

    private static Map<Object, Object> orderedDict(PyTuple args) throws PickleException {
        Map<Object, Object> dict = new LinkedHashMap<>();
        if (args.isEmpty()) {
            return dict;
        }
        if (args.size() != 1) {
            throw PickleException.corrupt("OrderedDict with " + args.size() + " arguments");
        }
        if (args.get(0) instanceof Map<?, ?> items) {
            for (Map.Entry<?, ?> e : items.entrySet()) {
                dict.put(e.getKey(), e.getValue());
            }
            return dict;
        }
        if (!(args.get(0) instanceof List<?> pairs)) {
            throw PickleException.corrupt("OrderedDict of " + describe(args.get(0)));
        }
        for (Object pair : pairs) {
            if (!(pair instanceof List<?> kv) || kv.size() != 2) {
                throw PickleException.corrupt("OrderedDict item " + describe(pair) + " is no (key, value) pair");
            }
            dict.put(PickleMachine.checkKey(kv.get(0)), kv.get(1));
        }
        return dict;
    }

    private static String device(TorchGlobal global, PyTuple args) throws PickleException {
        arity(global, args, 1, 2);
        String type = string(args.get(0), "device type");
        if (args.size() == 2 && args.get(1) != null) {
            return type + ":" + integer(args.get(1), "device index");
        }
        return type;
    }

    private static byte[] encode(TorchGlobal global, PyTuple args) throws PickleException {
        arity(global, args, 1, 3);
        String text = string(args.get(0), "text to encode");
        String encoding = args.size() > 1 ? string(args.get(1), "encoding") : "utf-8";
        return switch (encoding.toLowerCase(Locale.ROOT).replace('_', '-')) {
            case "latin1", "latin-1", "iso-8859-1", "iso8859-1", "l1" -> {
                for (int i = 0; i < text.length(); i++) {
                    if (text.charAt(i) > 0xff) {
                        throw PickleException.corrupt("latin-1 text with a character beyond U+00FF");
                    }
                }
                yield text.getBytes(StandardCharsets.ISO_8859_1);
            }
            case "utf-8", "utf8" -> text.getBytes(StandardCharsets.UTF_8);
            case "ascii", "us-ascii" -> text.getBytes(StandardCharsets.US_ASCII);
            default -> throw PickleException.unsupported(global + " with encoding '" + encoding + "'");
        };
    }

    private static PySet set(TorchGlobal global, PyTuple args) throws PickleException {
        arity(global, args, 0, 1);
        PySet set = new PySet();
        if (args.size() == 1) {
            if (args.get(0) instanceof List<?> items) {
                set.addAll(items);
            } else if (args.get(0) instanceof Map<?, ?> dict) {
                set.addAll(dict.keySet());
            } else {
                throw PickleException.corrupt(global + " of " + describe(args.get(0)));
            }
        }
        return set;
    }

    private static byte[] bytearray(TorchGlobal global, PyTuple args) throws PickleException {
        arity(global, args, 0, 2);
        if (args.isEmpty()) {
            return new byte[0];
        }
        if (args.size() == 1 && args.get(0) instanceof byte[] bytes) {
            return bytes;
        }
        if (args.size() == 2 && args.get(0) instanceof String) {
            return encode(global, args);
        }
        // bytearray(n) would allocate n zero bytes: a size no pickler writes and an attacker would
        throw PickleException.corrupt(global + " of " + describe(args.get(0)));
    }

    // ---- argument checks

    private static void arity(TorchGlobal global, PyTuple args, int min, int max) throws PickleException {
        if (args.size() < min || args.size() > max) {
            throw PickleException.corrupt(global + " called with " + args.size() + " arguments; it takes "
                    + (min == max ? Integer.toString(min) : min + " to " + max));
        }
    }

    private static String string(Object value, String what) throws PickleException {
        if (value instanceof String s) {
            return s;
        }
        throw PickleException.corrupt(what + " must be a str, got " + describe(value));
    }

    private static long integer(Object value, String what) throws PickleException {
        if (value instanceof Long l) {
            return l;
        }
        throw PickleException.corrupt(what + " must be a 64-bit int, got " + describe(value));
    }

    private static long nonNegative(Object value, String what) throws PickleException {
        long v = integer(value, what);
        if (v < 0) {
            throw PickleException.corrupt(what + " is negative: " + v);
        }
        return v;
    }

    private static List<Long> longs(TorchGlobal global, Object value, String what) throws PickleException {
        if (!(value instanceof List<?> items)) {
            throw PickleException.corrupt(global + " " + what + " must be a tuple of ints, got " + describe(value));
        }
        if (items.size() > ReaderLimits.MAX_RANK) {
            throw PickleException.unsupported(global + " " + what + " of " + items.size() + " dimensions (at most "
                    + ReaderLimits.describe(ReaderLimits.MAX_RANK, "MAX_RANK") + ")");
        }
        Long[] out = new Long[items.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = integer(items.get(i), global + " " + what);
        }
        return List.of(out);
    }

    private static String describeTuple(PyTuple id) {
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < Math.min(id.size(), 6); i++) {
            sb.append(i > 0 ? ", " : "").append(id.get(i) instanceof String s ? "'" + s + "'" : describe(id.get(i)));
        }
        return sb.append(id.size() > 6 ? ", ...)" : ")").toString();
    }
}
