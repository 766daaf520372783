package io.github.vectorlm.decoder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.vectorlm.tensor.DType;
import io.github.vectorlm.tensor.Tensor;
import io.github.vectorlm.tensor.ops.Linear;
import io.github.vectorlm.testing.InMemoryCheckpoint;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The shared weight-table check and reader, on a made-up two-layer layout. */
class WeightTableTest {
    /** vocab 5, context 4, width 2, 2 layers, 1 head, inner 3. */
    private static final DecoderShape SHAPE = new DecoderShape(5, 4, 2, 2, 1, 3);

    enum P implements ModelParameter {
        EMBED(false), NORM(true), NORM_BIAS(true), UP(true), UP_BIAS(true), HEAD(false);

        private final boolean perLayer;

        P(boolean perLayer) {
            this.perLayer = perLayer;
        }

        @Override
        public boolean perLayer() {
            return perLayer;
        }
    }

    private static final WeightTable<P> TABLE = new WeightTable<>("Test", List.of("model.", ""), List.of(
            new WeightEntry<>(P.EMBED, "{p}embed", Storage.ROWS, Dim.VOCAB, Dim.WIDTH),
            new WeightEntry<>(P.NORM, "{p}h.{layer}.norm", Storage.VECTOR, Dim.WIDTH),
            new WeightEntry<>(P.NORM_BIAS, "{p}h.{layer}.norm_bias", Storage.VECTOR, Dim.WIDTH),
            new WeightEntry<>(P.UP, "{p}h.{layer}.up", Storage.IN_OUT, Dim.ONE, Dim.WIDTH, Dim.INNER),
            new WeightEntry<>(P.UP_BIAS, "{p}h.{layer}.up_bias", Storage.VECTOR, Dim.INNER),
            new WeightEntry<>(P.HEAD, List.of("head", "lm_head"), Storage.OUT_IN, List.of(Dim.VOCAB, Dim.WIDTH))),
            List.of("{p}h.{layer}.mask"));

    private static Map<String, Tensor> complete(String prefix) {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put(prefix + "embed", zeros(5, 2));
        for (int l = 0; l < 2; l++) {
            m.put(prefix + "h." + l + ".norm", zeros(2));
            m.put(prefix + "h." + l + ".norm_bias", zeros(2));
            m.put(prefix + "h." + l + ".up", Tensor.fromFloats(new float[] {1, 2, 3, 4, 5, 6}, 1, 2, 3));
            m.put(prefix + "h." + l + ".up_bias", zeros(3));
            m.put(prefix + "h." + l + ".mask", zeros(4, 4));
        }
        m.put("head", zeros(5, 2));
        return m;
    }

    private static Tensor zeros(long... shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return Tensor.fromFloats(new float[(int) n], shape);
    }

    private static Map<WeightKey<P>, String> check(Map<String, Tensor> tensors, Presence bias) throws IOException {
        StateDict state = StateDict.of(new InMemoryCheckpoint("test.safetensors", tensors));
        return TABLE.check(state, SHAPE, p -> p == P.UP_BIAS ? bias : Presence.REQUIRED, "test model", "2 layers");
    }

    @Test
    void findsThePrefixTheNamesUseAndResolvesEveryParameter() throws IOException {
        for (String prefix : List.of("model.", "")) {
            Map<WeightKey<P>, String> names = check(complete(prefix), Presence.REQUIRED);
            assertThat(names).containsEntry(WeightKey.of(P.NORM, 1), prefix + "h.1.norm")
                    .containsEntry(WeightKey.of(P.EMBED, 7), prefix + "embed")
                    .containsEntry(new WeightKey<>(P.HEAD, -1), "head").hasSize(1 + 2 * 4 + 1);
        }
    }

    @Test
    void readsTensorsAsTheTableStoresThem() throws IOException {
        Map<String, Tensor> tensors = complete("");
        tensors.remove("h.0.up_bias");
        tensors.remove("h.1.up_bias");
        StateDict state = StateDict.of(new InMemoryCheckpoint("test.safetensors", tensors));
        Map<WeightKey<P>, String> names = TABLE.check(state, SHAPE,
                p -> p == P.UP_BIAS ? Presence.absent("no MLP bias") : Presence.REQUIRED, "test model", "2 layers");
        WeightReader<P> r = WeightReader.of(TABLE, state, names);
        Linear up = r.linear(P.UP, P.UP_BIAS, 1);
        assertThat(up.layout()).isEqualTo(Linear.Layout.IN_OUT);
        assertThat(up.weight().shape().toArray()).containsExactly(2, 3); // the leading 1 dropped, no copy
        assertThat(up.weight().toFloatArray()).containsExactly(1, 2, 3, 4, 5, 6);
        assertThat(up.bias()).isNull();
        assertThat(r.linear(P.HEAD, null, -1).layout()).isEqualTo(Linear.Layout.OUT_IN);
        assertThatThrownBy(() -> r.tensor(P.UP_BIAS, 0)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void reportsEveryProblemAtOnce() {
        Map<String, Tensor> m = complete("model.");
        m.remove("model.h.1.norm");
        m.put("model.h.0.norm_bias", zeros(3));
        m.put("model.h.1.up_bias", Tensor.fromFloats(DType.F64, new float[3], 3));
        m.put("lm_head", zeros(5, 2));
        m.put("model.h.2.norm", zeros(2));
        m.put("model.extra", zeros(1));
        assertThatThrownBy(() -> check(m, Presence.REQUIRED)).isInstanceOfSatisfying(WeightMappingException.class,
                e -> {
                    assertThat(e.problems()).containsExactlyInAnyOrder(
                            "missing 'model.h.1.norm', expected shape [2]",
                            "'model.h.0.norm_bias' has shape [3], expected [2]",
                            "'model.h.1.up_bias' is F64, expected F32, F16 or BF16",
                            "both 'head' and 'lm_head' are present; expected one of them",
                            "unexpected 'model.h.2.norm' F32[2]: the config has 2 layers",
                            "unexpected 'model.extra' F32[1]");
                    assertThat(e.getMessage()).startsWith("test.safetensors: 6 problems with Test test model weights "
                            + "(names prefixed 'model.') for 2 layers:\n  missing");
                });
    }

    @Test
    void aParameterTheConfigDropsMustBeAbsentAndAnOptionalOneMayBe() throws IOException {
        assertThatThrownBy(() -> check(complete(""), Presence.absent("the config has no MLP bias")))
                .isInstanceOfSatisfying(WeightMappingException.class, e -> assertThat(e.problems()).containsExactly(
                        "unexpected 'h.0.up_bias' F32[3]: the config has no MLP bias",
                        "unexpected 'h.1.up_bias' F32[3]: the config has no MLP bias"));
        Map<String, Tensor> noBias = complete("");
        noBias.remove("h.0.up_bias");
        noBias.remove("h.1.up_bias");
        assertThat(check(noBias, Presence.OPTIONAL)).doesNotContainKey(WeightKey.of(P.UP_BIAS, 0));
        assertThat(check(complete(""), Presence.OPTIONAL)).containsKey(WeightKey.of(P.UP_BIAS, 0));
    }

    @Test
    void presenceNeedsAReasonExactlyWhenAbsent() {
        assertThatThrownBy(() -> new Presence(Presence.Kind.ABSENT, null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Presence(Presence.Kind.REQUIRED, "x")).isInstanceOf(IllegalArgumentException.class);
    }
}
