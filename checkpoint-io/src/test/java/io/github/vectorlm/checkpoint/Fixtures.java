package io.github.vectorlm.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.vectorlm.tensor.DType;
import io.github.vectorlm.tensor.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** Committed fixtures (safetensors/, tf/) and comparison of tensors with their expected values. */
final class Fixtures {
    private Fixtures() {
    }

    /** A file or folder under src/test/resources. */
    static Path resource(String name) {
        try {
            return Path.of(Fixtures.class.getResource("/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static JsonNode json(String name) {
        try {
            return new ObjectMapper().readTree(resource(name).toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Copies a resource folder into {@code target} (for tests that damage files). */
    static Path copyFolder(String name, Path target) throws IOException {
        Path source = resource(name);
        try (Stream<Path> files = Files.walk(source)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Path to = target.resolve(source.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(p, to);
                }
            }
        }
        return target;
    }

    /**
     * Asserts every element of {@code t} (row-major) equals {@code values}: floating types bit
     * for bit as doubles (-0.0 distinct from 0.0), integers as their 64 low bits (so an unsigned
     * value above 2^63 matches the same bits), booleans as booleans.
     */
    static void assertValues(String what, Tensor t, JsonNode values) {
        assertThat(t.numel()).as(what + " element count").isEqualTo(values.size());
        long[] index = new long[t.rank()];
        for (int i = 0; i < values.size(); i++) {
            JsonNode v = values.get(i);
            String at = what + " element " + i;
            if (t.dtype() == DType.BOOL) {
                assertThat(t.getBoolean(index)).as(at).isEqualTo(v.booleanValue());
            } else if (t.dtype().isFloatingPoint()) {
                assertThat(Double.doubleToLongBits(t.getDouble(index))).as(at + " = " + t.getDouble(index) + " vs " + v)
                        .isEqualTo(Double.doubleToLongBits(v.doubleValue()));
            } else {
                assertThat(t.getLong(index)).as(at).isEqualTo(v.bigIntegerValue().longValue());
            }
            for (int d = index.length - 1; d >= 0; d--) {
                if (++index[d] < t.dim(d)) {
                    break;
                }
                index[d] = 0;
            }
        }
    }

    static long[] shape(JsonNode shape) {
        long[] dims = new long[shape.size()];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = shape.get(i).longValue();
        }
        return dims;
    }
}
