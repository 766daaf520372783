package io.github.vectorlm.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.vectorlm.checkpoint.GgufCheckpoint;
import io.github.vectorlm.checkpoint.GgufValueType;
import io.github.vectorlm.checkpoint.TensorInfo;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * A GGUF file listed as {@code tools/make_gguf_export_fixtures.py} lists one with gguf-py, and
 * compared with such a listing; the export tests of gpt2-model and neox-model use it.
 */
public final class GgufListing {
    private GgufListing() {
    }

    /**
     * Asserts that {@code g} lists as {@code expected} does, but for the keys in {@code skipKeys}
     * and the tensors in {@code extraTensors} (ours only) and {@code skipTensors}.
     */
    public static void assertSameAs(GgufCheckpoint g, JsonNode expected, Set<String> skipKeys, Set<String> extraTensors,
            Set<String> skipTensors) throws java.io.IOException {
        Set<String> keys = new TreeSet<>(g.metadata().keySet());
        expected.get("keys").fieldNames().forEachRemaining(keys::add);
        List<String> problems = new ArrayList<>();
        for (String k : keys) {
            if (skipKeys.contains(k) || k.equals("general.alignment") && !expected.get("keys").has(k)) {
                continue;
            }
            JsonNode want = expected.get("keys").get(k);
            if (want == null || !g.metadata().containsKey(k)) {
                problems.add(k + (want == null ? ": ours only" : ": missing from ours"));
                continue;
            }
            String type = g.metadataType(k).name();
            Object value = g.metadata().get(k);
            if (g.metadataType(k) == GgufValueType.ARRAY) {
                List<?> list = (List<?>) value;
                type += ":" + g.arrayElementType(k).name();
                List<String> parts = new ArrayList<>();
                for (Object o : list) {
                    parts.add(o.toString());
                }
                String joined = String.join(g.arrayElementType(k) == GgufValueType.STRING ? "\n" : ",", parts);
                if (!type.equals(want.get("type").asText()) || list.size() != want.get("count").asInt()
                        || !sha256(joined.getBytes(StandardCharsets.UTF_8)).equals(want.get("sha256").asText())) {
                    problems.add(k + ": " + type + " of " + list.size() + ", expected " + want);
                }
            } else {
                JsonNode v = want.get("value");
                boolean same = type.equals(want.get("type").asText()) && switch (value) {
                    case String s -> s.equals(v.asText());
                    case Boolean b -> b == v.asBoolean();
                    case Double d -> d == v.asDouble();
                    default -> ((Number) value).longValue() == v.asLong();
                };
                if (!same) {
                    problems.add(k + ": " + type + " " + value + ", expected " + want);
                }
            }
        }
        Set<String> tensors = new TreeSet<>(g.tensorNames());
        expected.get("tensors").fieldNames().forEachRemaining(tensors::add);
        for (String t : tensors) {
            if (skipTensors.contains(t)) {
                continue;
            }
            JsonNode want = expected.get("tensors").get(t);
            if (want == null) {
                if (!extraTensors.contains(t)) {
                    problems.add("tensor " + t + ": ours only");
                }
                continue;
            }
            if (!g.contains(t)) {
                problems.add("tensor " + t + ": missing from ours");
                continue;
            }
            TensorInfo info = g.info(t);
            MemorySegment data = info.isBlockQuantized() ? g.quantized(t).data() : g.tensor(t).contiguousData();
            String got = g.ggmlType(t).name() + java.util.Arrays.toString(info.shape().toArray()) + " " + sha256(data);
            String exp = want.get("type").asText() + java.util.Arrays.toString(Fixtures.ints(want.get("shape"))) + " "
                    + want.get("sha256").asText();
            if (!got.equals(exp)) {
                problems.add("tensor " + t + ": " + got + ", expected " + exp);
            }
        }
        assertThat(problems).as("differences from llama.cpp's converter").isEmpty();
    }

    /** llama.cpp's logits on the export (probe ids at some positions, and the top 10) against ours. */
    public static void assertLlamaCppLogits(JsonNode fixture, float[] ours, int vocab, double rel) {
        int[] positions = Fixtures.ints(fixture.get("positions"));
        int[] probe = Fixtures.ints(fixture.get("probe_ids"));
        double[][] llama = Fixtures.matrix(fixture.get("llama_cpp_probe_logits"));
        double worst = 0;
        for (int p = 0; p < positions.length; p++) {
            int at = positions[p] * vocab;
            double scale = 1;
            int top = 0;
            for (int v = 0; v < vocab; v++) {
                scale = Math.max(scale, Math.abs(ours[at + v]));
                top = ours[at + v] > ours[at + top] ? v : top;
            }
            for (int i = 0; i < probe.length; i++) {
                worst = Math.max(worst, Math.abs(ours[at + probe[i]] - llama[p][i]) / scale);
            }
            assertThat(top).as("top token at position " + positions[p]).isEqualTo(
                    fixture.get("llama_cpp_top10").get(p).get(0).asInt());
        }
        System.out.printf("llama.cpp on the export vs ours: largest difference %.2e of the row scale%n", worst);
        assertThat(worst).isLessThanOrEqualTo(rel);
    }

    private static String sha256(MemorySegment data) {
        return sha256(data.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

}
