package io.github.vectorlm.tools.tffixtures;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.TensorFlow;
import org.tensorflow.ndarray.NdArray;
import org.tensorflow.ndarray.NdArrays;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.DataType;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;

/**
 * Writes real TensorFlow tensor bundles through TensorFlow's own {@code SaveV2} (and
 * {@code MergeV2Checkpoints}) kernels, for VectorLM's reader tests and benchmarks.
 *
 * <p>Every value recorded in an {@code expected.json} is read back from the written bundle by
 * TensorFlow's {@code RestoreV2} kernel (then cast to float64 / int64 / bool / string by TF), so
 * the JSON is TensorFlow's reading of the bundle, not this tool's intention.
 *
 * <pre>
 * fixtures OUTDIR                      basic/, sharded/, sliced/ bundles + expected.json
 * from-safetensors IN.safetensors PREFIX [MAPPING.json]
 *                                      float32 tensors of a safetensors file → bundle PREFIX;
 *                                      MAPPING: [{"from": name, "to": name, "shape": [..]}]
 * random-gpt2 PREFIX [LAYERS]          GPT-2 124M-shaped random float32 tensors, OpenAI names
 * </pre>
 */
public final class TfFixtures {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** One tensor to save: its name, TF dtype, shape and values (as doubles, longs, booleans or strings). */
    record Spec(String name, DataType dtype, long[] shape, Object values) {
    }

    private TfFixtures() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: fixtures OUTDIR | from-safetensors IN PREFIX [MAPPING] | random-gpt2 PREFIX [LAYERS]");
            System.exit(2);
        }
        System.err.println("TensorFlow " + TensorFlow.version());
        switch (args[0]) {
            case "fixtures" -> fixtures(Path.of(args[1]));
            case "from-safetensors" -> fromSafetensors(Path.of(args[1]), Path.of(args[2]),
                    args.length > 3 ? Path.of(args[3]) : null);
            case "random-gpt2" -> randomGpt2(Path.of(args[1]), args.length > 2 ? Integer.parseInt(args[2]) : 12);
            default -> throw new IllegalArgumentException("unknown mode " + args[0]);
        }
    }

    // ---------------------------------------------------------------- fixtures

    static void fixtures(Path out) throws IOException {
        ObjectNode expected = JSON.createObjectNode();
        expected.put("writer", "TensorFlow " + TensorFlow.version() + " via TensorFlow Java "
                + "(org.tensorflow:tensorflow-core-api:1.1.0), raw SaveV2 / MergeV2Checkpoints kernels");
        expected.put("values_from", "RestoreV2 of the written bundle, cast by TensorFlow to float64/int64/bool/string");

        Path basic = out.resolve("basic");
        Files.createDirectories(basic);
        List<Spec> basicSpecs = basicSpecs();
        save(basic.resolve("model.ckpt"), basicSpecs, null);
        // The 'checkpoint' pointer file a tf.train.Saver writes beside a bundle (OpenAI's GPT-2
        // folders carry one); SaveV2 itself does not write it, so it is written here in TF's text format.
        Files.writeString(basic.resolve("checkpoint"),
                "model_checkpoint_path: \"model.ckpt\"\nall_model_checkpoint_paths: \"model.ckpt\"\n");
        expected.set("basic", restore(basic.resolve("model.ckpt"), basicSpecs));

        // Two shards: each half saved by its own SaveV2, then merged by MergeV2Checkpoints, as a
        // sharded tf.train.Saver does.
        Path sharded = out.resolve("sharded");
        Files.createDirectories(sharded);
        Path temp = Files.createTempDirectory("tf-shards");
        List<Spec> first = List.of(
                new Spec("layer0/w", DataType.DT_FLOAT, new long[] {2, 3}, seq(6, 0.5, 0.25)),
                new Spec("layer0/b", DataType.DT_FLOAT, new long[] {3}, seq(3, -1, 0.5)));
        List<Spec> second = List.of(
                new Spec("layer1/w", DataType.DT_DOUBLE, new long[] {3, 2}, seq(6, 10, -1.5)),
                new Spec("step", DataType.DT_INT64, new long[] {}, new long[] {1234567890123L}));
        save(temp.resolve("part-00000-of-00002"), first, null);
        save(temp.resolve("part-00001-of-00002"), second, null);
        merge(List.of(temp.resolve("part-00000-of-00002"), temp.resolve("part-00001-of-00002")),
                sharded.resolve("model.ckpt"));
        List<Spec> all = new ArrayList<>(first);
        all.addAll(second);
        expected.set("sharded", restore(sharded.resolve("model.ckpt"), all));

        // A partitioned variable: two slices of one [4, 3] tensor saved under one name.
        Path sliced = out.resolve("sliced");
        Files.createDirectories(sliced);
        List<Spec> slicedSpecs = List.of(
                new Spec("part/var", DataType.DT_FLOAT, new long[] {2, 3}, seq(6, 0, 1)),
                new Spec("part/var", DataType.DT_FLOAT, new long[] {2, 3}, seq(6, 6, 1)),
                new Spec("whole", DataType.DT_FLOAT, new long[] {2}, seq(2, 7, 1)));
        save(sliced.resolve("model.ckpt"), slicedSpecs, new String[] {"4 3 0,2:-", "4 3 2,2:-", ""});
        ObjectNode slicedExpected = JSON.createObjectNode();
        slicedExpected.put("part/var", "a [4, 3] float variable saved as two slices 0,2:- and 2,2:-");
        slicedExpected.set("whole", restore(sliced.resolve("model.ckpt"), List.of(slicedSpecs.get(2))).get("whole"));
        expected.set("sliced", slicedExpected);

        JSON.writeValue(out.resolve("expected.json").toFile(), expected);
        System.err.println("wrote " + out);
    }

    static List<Spec> basicSpecs() {
        List<Spec> specs = new ArrayList<>();
        specs.add(new Spec("float/matrix", DataType.DT_FLOAT, new long[] {2, 3},
                new double[] {1.5, -2.25, 3.0e-5, 1.0e30, -0.0, 7.0}));
        specs.add(new Spec("double/vector", DataType.DT_DOUBLE, new long[] {4},
                new double[] {Math.PI, -Math.E, 1.0e-300, 12345.678}));
        specs.add(new Spec("half/matrix", DataType.DT_HALF, new long[] {3, 2},
                new double[] {0.5, -1.25, 65504, 6.1e-5, 0.1, -3.3}));
        specs.add(new Spec("bfloat16/vector", DataType.DT_BFLOAT16, new long[] {5},
                new double[] {1.0, -2.5, 3.0e38, 0.1, 1.0 / 3}));
        specs.add(new Spec("int8/vector", DataType.DT_INT8, new long[] {4}, new long[] {-128, -1, 0, 127}));
        specs.add(new Spec("int16/vector", DataType.DT_INT16, new long[] {3}, new long[] {-32768, 12345, 32767}));
        specs.add(new Spec("int32/matrix", DataType.DT_INT32, new long[] {2, 2},
                new long[] {Integer.MIN_VALUE, -7, 99, Integer.MAX_VALUE}));
        specs.add(new Spec("int64/vector", DataType.DT_INT64, new long[] {3}, new long[] {Long.MIN_VALUE, 42, Long.MAX_VALUE}));
        specs.add(new Spec("uint8/vector", DataType.DT_UINT8, new long[] {4}, new long[] {0, 1, 128, 255}));
        specs.add(new Spec("uint16/vector", DataType.DT_UINT16, new long[] {2}, new long[] {0, 65535}));
        specs.add(new Spec("uint32/vector", DataType.DT_UINT32, new long[] {2}, new long[] {7, 4294967295L}));
        // -1 becomes 2^64 - 1 through TF's Cast; read back as int64 it is -1 again (the same bits)
        specs.add(new Spec("uint64/vector", DataType.DT_UINT64, new long[] {2}, new long[] {5, -1}));
        specs.add(new Spec("float8_e4m3fn/vector", DataType.DT_FLOAT8_E4M3FN, new long[] {4},
                new double[] {1.0, -0.5, 448, 0.015625}));
        specs.add(new Spec("float8_e5m2/vector", DataType.DT_FLOAT8_E5M2, new long[] {4},
                new double[] {1.0, -0.75, 57344, 0.0001}));
        specs.add(new Spec("bool/matrix", DataType.DT_BOOL, new long[] {2, 2}, new boolean[] {true, false, false, true}));
        specs.add(new Spec("scalar/float", DataType.DT_FLOAT, new long[] {}, new double[] {-42.5}));
        specs.add(new Spec("scalar/int64", DataType.DT_INT64, new long[] {}, new long[] {987654321012L}));
        specs.add(new Spec("empty/float", DataType.DT_FLOAT, new long[] {0, 3}, new double[0]));
        specs.add(new Spec("string/vector", DataType.DT_STRING, new long[] {3},
                new String[] {"hello", "", "h\u00e9llo w\u00f6rld \u2603"}));
        specs.add(new Spec("string/scalar", DataType.DT_STRING, new long[] {}, new String[] {"gpt-2"}));
        specs.add(new Spec("model/h0/attn/c_attn/w", DataType.DT_FLOAT, new long[] {1, 4, 12}, seq(48, -2, 0.125)));
        return specs;
    }

    private static double[] seq(int n, double start, double step) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = start + i * step;
        }
        return v;
    }

    // ---------------------------------------------------------------- TF graph helpers

    /** Saves {@code specs} to bundle {@code prefix} with one SaveV2 op; {@code slices} may be null (all full). */
    static void save(Path prefix, List<Spec> specs, String[] slices) {
        try (Graph g = new Graph(); Session s = new Session(g)) {
            Ops tf = Ops.create(g);
            List<Operand<?>> values = new ArrayList<>();
            String[] names = new String[specs.size()];
            String[] shapeAndSlices = new String[specs.size()];
            for (int i = 0; i < specs.size(); i++) {
                Spec spec = specs.get(i);
                names[i] = spec.name();
                shapeAndSlices[i] = slices == null ? "" : slices[i];
                values.add(constant(g, tf, spec, i));
            }
            s.run(tf.train.save(tf.constant(prefix.toString()), tf.constant(NdArrays.vectorOfObjects(names)),
                    tf.constant(NdArrays.vectorOfObjects(shapeAndSlices)), values));
        }
    }

    static void merge(List<Path> sources, Path destination) {
        try (Graph g = new Graph(); Session s = new Session(g)) {
            Ops tf = Ops.create(g);
            String[] prefixes = sources.stream().map(Path::toString).toArray(String[]::new);
            s.run(tf.train.mergeV2Checkpoints(tf.constant(NdArrays.vectorOfObjects(prefixes)),
                    tf.constant(destination.toString())));
        }
    }

    /** A constant of the spec's dtype: built in a wide carrier type, then cast by TF's Cast kernel. */
    private static Output<?> constant(Graph g, Ops tf, Spec spec, int index) {
        Shape shape = Shape.of(spec.shape());
        Operand<?> carrier;
        switch (spec.values()) {
            case double[] d -> carrier = tf.constant(shape, DataBuffers.of(d, true, false));
            case long[] l -> carrier = tf.constant(shape, DataBuffers.of(l, true, false));
            case boolean[] b -> carrier = tf.constant(shape, DataBuffers.of(b, true, false));
            case String[] str -> {
                NdArray<byte[]> bytes = NdArrays.ofObjects(byte[].class, shape);
                long[] i = {0};
                bytes.scalars().forEach(x -> x.setObject(str[(int) i[0]++].getBytes(StandardCharsets.UTF_8)));
                carrier = tf.constantOf(TString.tensorOfBytes(bytes));
            }
            case float[] f -> carrier = tf.constant(shape, DataBuffers.of(f, true, false));
            default -> throw new IllegalArgumentException(spec.name());
        }
        if (carrier.asOutput().dataType() == spec.dtype()) {
            return carrier.asOutput();
        }
        return g.opBuilder("Cast", "cast_" + index, tf.scope())
                .addInput(carrier.asOutput())
                .setAttr("DstT", spec.dtype())
                .build().output(0);
    }

    /** Reads every spec back with RestoreV2 and records TF's values, dtype and shape. */
    static ObjectNode restore(Path prefix, List<Spec> specs) {
        ObjectNode out = JSON.createObjectNode();
        try (Graph g = new Graph(); Session s = new Session(g)) {
            Ops tf = Ops.create(g);
            String[] names = specs.stream().map(Spec::name).toArray(String[]::new);
            String[] empty = new String[specs.size()];
            java.util.Arrays.fill(empty, "");
            DataType[] dtypes = specs.stream().map(Spec::dtype).toArray(DataType[]::new);
            var restore = g.opBuilder("RestoreV2", "restore", tf.scope())
                    .addInput(tf.constant(prefix.toString()).asOutput())
                    .addInput(tf.constant(NdArrays.vectorOfObjects(names)).asOutput())
                    .addInput(tf.constant(NdArrays.vectorOfObjects(empty)).asOutput())
                    .setAttr("dtypes", dtypes)
                    .build();
            for (int i = 0; i < specs.size(); i++) {
                Spec spec = specs.get(i);
                DataType wide = switch (spec.dtype()) {
                    case DT_STRING -> DataType.DT_STRING;
                    case DT_BOOL -> DataType.DT_BOOL;
                    case DT_FLOAT, DT_DOUBLE, DT_HALF, DT_BFLOAT16, DT_FLOAT8_E4M3FN, DT_FLOAT8_E5M2 -> DataType.DT_DOUBLE;
                    default -> DataType.DT_INT64;
                };
                Output<?> value = restore.output(i);
                if (wide != spec.dtype()) {
                    value = g.opBuilder("Cast", "back_" + i, tf.scope()).addInput(value).setAttr("DstT", wide)
                            .build().output(0);
                }
                ObjectNode entry = out.putObject(spec.name());
                entry.put("dtype", spec.dtype().name());
                ArrayNode shapeNode = entry.putArray("shape");
                try (Result r = s.runner().fetch(value).run()) {
                    var t = r.get(0);
                    for (long d : t.shape().asArray()) {
                        shapeNode.add(d);
                    }
                    ArrayNode values = entry.putArray("values");
                    switch (t) {
                        case TFloat64 d -> d.scalars().forEach(x -> values.add(x.getDouble()));
                        case TInt64 l -> l.scalars().forEach(x -> values.add(x.getLong()));
                        case TBool b -> b.scalars().forEach(x -> values.add(x.getBoolean()));
                        case TString str -> str.asBytes().scalars().forEach(
                                x -> values.add(Base64.getEncoder().encodeToString(x.getObject())));
                        default -> throw new IllegalStateException(t.toString());
                    }
                }
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- from-safetensors

    /**
     * Saves the float32 tensors of a safetensors file into bundle {@code prefix}. With a mapping
     * file only the listed tensors are saved, renamed and (optionally) reshaped.
     */
    static void fromSafetensors(Path in, Path prefix, Path mapping) throws IOException {
        try (FileChannel ch = FileChannel.open(in, StandardOpenOption.READ)) {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            ch.read(len, 0);
            long n = len.getLong(0);
            if (n <= 0 || n > 100_000_000 || n > ch.size() - 8) {
                throw new IOException(in + ": bad header length " + n);
            }
            ByteBuffer header = ByteBuffer.allocate((int) n);
            ch.read(header, 8);
            JsonNode root = JSON.readTree(header.array());
            List<JsonNode> map = new ArrayList<>();
            if (mapping != null) {
                JSON.readTree(mapping.toFile()).forEach(map::add);
            } else {
                for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
                    String name = it.next();
                    if (!name.equals("__metadata__")) {
                        map.add(JSON.createObjectNode().put("from", name).put("to", name));
                    }
                }
            }
            List<Spec> specs = new ArrayList<>();
            for (JsonNode m : map) {
                String from = m.get("from").asText();
                JsonNode t = root.get(from);
                if (t == null) {
                    throw new IOException(in + ": no tensor " + from);
                }
                if (!t.get("dtype").asText().equals("F32")) {
                    throw new IOException(in + ": tensor " + from + " is " + t.get("dtype") + ", only F32 is converted");
                }
                long begin = t.get("data_offsets").get(0).asLong();
                long end = t.get("data_offsets").get(1).asLong();
                float[] values = new float[Math.toIntExact((end - begin) / 4)];
                ByteBuffer data = ByteBuffer.allocate(Math.toIntExact(end - begin)).order(ByteOrder.LITTLE_ENDIAN);
                ch.read(data, 8 + n + begin);
                data.flip().asFloatBuffer().get(values);
                JsonNode shapeNode = m.has("shape") ? m.get("shape") : t.get("shape");
                long[] shape = new long[shapeNode.size()];
                long numel = 1;
                for (int i = 0; i < shape.length; i++) {
                    shape[i] = shapeNode.get(i).asLong();
                    numel *= shape[i];
                }
                if (numel != values.length) {
                    throw new IOException("tensor " + from + ": shape " + shapeNode + " does not hold " + values.length + " values");
                }
                specs.add(new Spec(m.get("to").asText(), DataType.DT_FLOAT, shape, values));
            }
            Files.createDirectories(prefix.toAbsolutePath().getParent());
            save(prefix, specs, null);
            writeCheckpointFile(prefix);
            System.err.println("wrote " + specs.size() + " tensors to " + prefix);
        }
    }

    private static void writeCheckpointFile(Path prefix) throws IOException {
        String base = prefix.getFileName().toString();
        Files.writeString(prefix.toAbsolutePath().resolveSibling("checkpoint"),
                "model_checkpoint_path: \"" + base + "\"\nall_model_checkpoint_paths: \"" + base + "\"\n");
    }

    // ---------------------------------------------------------------- random-gpt2

    /** GPT-2 124M-shaped random float32 weights under OpenAI's names (about 500 MB for 12 layers). */
    static void randomGpt2(Path prefix, int layers) throws IOException {
        int d = 768;
        int vocab = 50257;
        int ctx = 1024;
        Random random = new Random(1234);
        List<Spec> specs = new ArrayList<>();
        specs.add(randomSpec("model/wte", new long[] {vocab, d}, random));
        specs.add(randomSpec("model/wpe", new long[] {ctx, d}, random));
        for (int l = 0; l < layers; l++) {
            String h = "model/h" + l + "/";
            for (Map.Entry<String, long[]> e : Map.of(
                    "ln_1/g", new long[] {d}, "ln_1/b", new long[] {d},
                    "attn/c_attn/w", new long[] {1, d, 3 * d}, "attn/c_attn/b", new long[] {3 * d},
                    "attn/c_proj/w", new long[] {1, d, d}, "attn/c_proj/b", new long[] {d},
                    "ln_2/g", new long[] {d}, "ln_2/b", new long[] {d},
                    "mlp/c_fc/w", new long[] {1, d, 4 * d}, "mlp/c_fc/b", new long[] {4 * d}).entrySet()) {
                specs.add(randomSpec(h + e.getKey(), e.getValue(), random));
            }
            specs.add(randomSpec(h + "mlp/c_proj/w", new long[] {1, 4 * d, d}, random));
            specs.add(randomSpec(h + "mlp/c_proj/b", new long[] {d}, random));
        }
        specs.add(randomSpec("model/ln_f/g", new long[] {d}, random));
        specs.add(randomSpec("model/ln_f/b", new long[] {d}, random));
        Files.createDirectories(prefix.toAbsolutePath().getParent());
        save(prefix, specs, null);
        writeCheckpointFile(prefix);
        System.err.println("wrote " + specs.size() + " tensors to " + prefix);
    }

    private static Spec randomSpec(String name, long[] shape, Random random) {
        long n = 1;
        for (long x : shape) {
            n *= x;
        }
        float[] v = new float[Math.toIntExact(n)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (random.nextGaussian() * 0.02);
        }
        return new Spec(name, DataType.DT_FLOAT, shape, v);
    }
}
