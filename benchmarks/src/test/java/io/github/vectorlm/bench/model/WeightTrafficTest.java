package io.github.vectorlm.bench.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.vectorlm.checkpoint.SafetensorsWriter;
import io.github.vectorlm.checkpoint.TensorInfo;
import io.github.vectorlm.tensor.DType;
import io.github.vectorlm.tensor.Shape;
import io.github.vectorlm.tensor.Tensor;
import io.github.vectorlm.tensor.ops.Parallel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The decode traffic rule against sums worked out by hand from the GPT-2 124M and Pythia-160M
 * shapes (not from the rule's own output).
 */
class WeightTrafficTest {
    private static TensorInfo t(String name, DType dtype, long... shape) {
        return new TensorInfo(name, dtype, Shape.of(shape));
    }

    private static long sum(List<TensorInfo> tensors, String architecture, boolean int8) {
        long total = 0;
        for (TensorInfo info : tensors) {
            total += WeightTraffic.bytesRead(info.name(), info, architecture, int8);
        }
        return total;
    }

    /** GPT-2 124M as Hugging Face names it, with the buffers and the tied head a real checkpoint may hold. */
    private static List<TensorInfo> gpt2(DType d) {
        List<TensorInfo> list = new ArrayList<>();
        list.add(t("transformer.wte.weight", d, 50257, 768));
        list.add(t("transformer.wpe.weight", d, 1024, 768));
        for (int i = 0; i < 12; i++) {
            String p = "transformer.h." + i + ".";
            list.add(t(p + "ln_1.weight", d, 768));
            list.add(t(p + "ln_1.bias", d, 768));
            list.add(t(p + "attn.bias", DType.BOOL, 1, 1, 1024, 1024));
            list.add(t(p + "attn.masked_bias", DType.F32));
            list.add(t(p + "attn.c_attn.weight", d, 768, 2304));
            list.add(t(p + "attn.c_attn.bias", d, 2304));
            list.add(t(p + "attn.c_proj.weight", d, 768, 768));
            list.add(t(p + "attn.c_proj.bias", d, 768));
            list.add(t(p + "ln_2.weight", d, 768));
            list.add(t(p + "ln_2.bias", d, 768));
            list.add(t(p + "mlp.c_fc.weight", d, 768, 3072));
            list.add(t(p + "mlp.c_fc.bias", d, 3072));
            list.add(t(p + "mlp.c_proj.weight", d, 3072, 768));
            list.add(t(p + "mlp.c_proj.bias", d, 768));
        }
        list.add(t("transformer.ln_f.weight", d, 768));
        list.add(t("transformer.ln_f.bias", d, 768));
        list.add(t("lm_head.weight", d, 50257, 768));
        return list;
    }

    @Test
    void gpt2CountsEveryBlockParameterAndTheTiedHeadOnceButNotThePositionTable() {
        // per block: c_attn 768·2304 + 2304, c_proj 768·768 + 768, c_fc 768·3072 + 3072,
        // mlp c_proj 3072·768 + 768, two LayerNorms 4·768 = 7,087,872 parameters;
        // 12 blocks + wte 50257·768 = 38,597,376 + ln_f 1,536 = 123,653,376 parameters
        long parameters = 12L * 7_087_872 + 38_597_376 + 1_536;
        assertThat(parameters).isEqualTo(123_653_376L);
        assertThat(sum(gpt2(DType.F32), "gpt2", false)).isEqualTo(4 * parameters); // 494,613,504
        assertThat(sum(gpt2(DType.BF16), "gpt2", false)).isEqualTo(2 * parameters);
    }

    @Test
    void neoxLeavesOutTheInputEmbeddingAndInt8ReadsOneBytePerLayerWeightPlusScales() {
        List<TensorInfo> list = new ArrayList<>();
        list.add(t("gpt_neox.embed_in.weight", DType.F32, 50304, 768));
        String p = "gpt_neox.layers.0.";
        list.add(t(p + "input_layernorm.weight", DType.F32, 768));
        list.add(t(p + "attention.query_key_value.weight", DType.F32, 2304, 768));
        list.add(t(p + "attention.query_key_value.bias", DType.F32, 2304));
        list.add(t(p + "attention.rotary_emb.inv_freq", DType.F32, 8));
        list.add(t(p + "attention.bias", DType.BOOL, 1, 1, 2048, 2048));
        list.add(t(p + "mlp.dense_4h_to_h.weight", DType.F32, 768, 3072));
        list.add(t("embed_out.weight", DType.F32, 50304, 768));

        long asStored = 4L * (768 + 2304 * 768 + 2304 + 768 * 3072 + 50304 * 768);
        assertThat(sum(list, "gpt-neox", false)).isEqualTo(asStored);
        // int8: the two layer matrices as 1 byte per weight + a 4-byte scale per output row;
        // the LayerNorm and the bias stay f32; the f32 head is held as F16 (LLM.int8 keeps it in 16 bits)
        long int8 = 4L * 768 + (2304L * 768 + 4 * 2304) + 4L * 2304 + (768L * 3072 + 4 * 768) + 2L * 50304 * 768;
        assertThat(sum(list, "gpt-neox", true)).isEqualTo(int8);
    }

    @Test
    void refusesAnArchitectureWithoutARule() {
        TensorInfo info = t("w", DType.F32, 2, 2);
        assertThatThrownBy(() -> WeightTraffic.bytesRead("w", info, "llama", false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("llama");
    }

    @Test
    void readsTheDecodeTensorsOfACheckpointOncePerPass(@TempDir Path folder) throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("transformer.wte.weight", Tensor.fromFloats(new float[64 * 32], 64, 32));
        tensors.put("transformer.wpe.weight", Tensor.fromFloats(new float[16 * 32], 16, 32));
        tensors.put("transformer.h.0.mlp.c_fc.weight", Tensor.fromFloats(DType.BF16, new float[32 * 130], 32, 130));
        SafetensorsWriter.write(tensors, folder.resolve("model.safetensors"), Map.of());
        try (Parallel parallel = Parallel.create(2)) {
            double[] rates = WeightTraffic.fileReadRates(folder, "gpt2", parallel, 3);
            assertThat(rates).hasSize(3);
            for (double r : rates) {
                assertThat(r).isPositive().isFinite();
            }
        }
    }
}
