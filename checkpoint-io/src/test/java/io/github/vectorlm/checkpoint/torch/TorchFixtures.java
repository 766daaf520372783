package io.github.vectorlm.checkpoint.torch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.vectorlm.checkpoint.PickledObject;
import io.github.vectorlm.checkpoint.TensorRef;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The fixtures tools/make_torch_fixtures.py wrote with torch 1.13, and their expected values
 * (expected.json). Content on both sides is put into one comparable form: dicts as {@link Dict}
 * (ordered key/value pairs), bytes as {@link Bytes}, tensors as {@link Ref}, ints as Long or
 * BigInteger, floats as Double, lists as lists.
 */
final class TorchFixtures {
    record Dict(List<List<Object>> items) {
    }

    record Bytes(String hex) {
    }

    record Ref(String name) {
    }

    /** Fixture sets: torch/ from Debian's torch 1.13, and torch2/ from PyTorch 2.x where the lead generated it. */
    private static final List<String> SETS = List.of("torch", "torch2");

    private static final Map<String, JsonNode> EXPECTED = new HashMap<>();

    private TorchFixtures() {
    }

    /** The torch 1.13 fixture folder. */
    static Path dir() {
        return setDir("torch");
    }

    private static Path setDir(String set) {
        try {
            java.net.URL url = TorchFixtures.class.getResource("/" + set + "/expected.json");
            return url == null ? null : Path.of(url.toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A file of the torch 1.13 set, e.g. {@code bad/os_system.pt}. */
    static Path file(String name) {
        return dir().resolve(name);
    }

    /** A file named {@code set/name}, e.g. {@code torch2/state_dict_zip.pt}. */
    static Path resource(String setAndName) {
        int slash = setAndName.indexOf('/');
        return setDir(setAndName.substring(0, slash)).resolve(setAndName.substring(slash + 1));
    }

    /** expected.json of the torch 1.13 set. */
    static JsonNode expected() {
        return expected("torch");
    }

    private static synchronized JsonNode expected(String set) {
        return EXPECTED.computeIfAbsent(set, s -> {
            try {
                return new ObjectMapper().readTree(setDir(s).resolve("expected.json").toFile());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /** {@code set/name} of every torch.save file with expectations (not the bare pickles), in every set present. */
    static List<String> checkpointFiles() {
        List<String> names = new ArrayList<>();
        for (String set : SETS) {
            if (setDir(set) != null) {
                expected(set).get("files").fieldNames().forEachRemaining(n -> {
                    if (!n.startsWith("pickles/")) {
                        names.add(set + "/" + n);
                    }
                });
            }
        }
        return names;
    }

    /** The expectation of {@code set/name}, or of a name in the torch 1.13 set. */
    static JsonNode expectation(String name) {
        int slash = name.indexOf('/');
        String set = slash > 0 && SETS.contains(name.substring(0, slash)) ? name.substring(0, slash) : "torch";
        String file = set.equals("torch") && !name.startsWith("torch/") ? name : name.substring(slash + 1);
        return expected(set).get("files").get(file);
    }

    /** expected.json's content notation in comparable form. */
    static Object fromJson(JsonNode node) {
        if (node.isNull()) {
            return null;
        } else if (node.isBoolean()) {
            return node.booleanValue();
        } else if (node.isIntegralNumber()) {
            return normalize(node.bigIntegerValue());
        } else if (node.isNumber()) {
            return node.doubleValue();
        } else if (node.isTextual()) {
            return node.textValue();
        } else if (node.isArray()) {
            List<Object> list = new ArrayList<>();
            node.forEach(item -> list.add(fromJson(item)));
            return list;
        } else if (node.has("__dict__")) {
            List<List<Object>> items = new ArrayList<>();
            node.get("__dict__").forEach(pair -> items.add(Arrays.asList(fromJson(pair.get(0)), fromJson(pair.get(1)))));
            return new Dict(items);
        } else if (node.has("__bytes__")) {
            return new Bytes(node.get("__bytes__").textValue());
        } else if (node.has("__tensor__")) {
            return new Ref(node.get("__tensor__").textValue());
        }
        throw new IllegalArgumentException("unexpected JSON " + node);
    }

    /** Checkpoint content in comparable form. */
    static Object fromContent(Object value) {
        return switch (value) {
            case null -> null;
            case Map<?, ?> map -> {
                List<List<Object>> items = new ArrayList<>();
                map.forEach((k, v) -> items.add(Arrays.asList(fromContent(k), fromContent(v))));
                yield new Dict(items);
            }
            case List<?> list -> {
                List<Object> out = new ArrayList<>();
                list.forEach(item -> out.add(fromContent(item)));
                yield out;
            }
            case byte[] bytes -> new Bytes(HexFormat.of().formatHex(bytes));
            case TensorRef ref -> new Ref(ref.name());
            case BigInteger b -> normalize(b);
            case PickledObject o -> o;
            default -> value;
        };
    }

    private static Object normalize(BigInteger value) {
        return value.bitLength() < 64 ? (Object) value.longValue() : value;
    }
}
