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

    private static JsonNode expected;

    private TorchFixtures() {
    }

    static Path dir() {
        try {
            return Path.of(TorchFixtures.class.getResource("/torch/expected.json").toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static Path file(String name) {
        return dir().resolve(name);
    }

    static synchronized JsonNode expected() {
        if (expected == null) {
            try {
                expected = new ObjectMapper().readTree(dir().resolve("expected.json").toFile());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return expected;
    }

    /** Names of the torch.save files with expectations (not the bare pickles). */
    static List<String> checkpointFiles() {
        List<String> names = new ArrayList<>();
        expected().get("files").fieldNames().forEachRemaining(n -> {
            if (!n.startsWith("pickles/")) {
                names.add(n);
            }
        });
        return names;
    }

    static JsonNode expectation(String file) {
        return expected().get("files").get(file);
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
