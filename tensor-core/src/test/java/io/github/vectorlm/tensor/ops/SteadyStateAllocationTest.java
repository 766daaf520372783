package io.github.vectorlm.tensor.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.vectorlm.tensor.DType;
import io.github.vectorlm.tensor.Tensor;
import java.lang.management.ManagementFactory;
import java.lang.foreign.Arena;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Once compiled, no kernel allocates: the token loop must not, and an allocation here is the
 * symptom of a Vector API helper that C2 did not inline — every vector boxed on the heap, the
 * kernel several times slower. Each kernel is run until a batch of 100 calls allocates nothing
 * (C2 has compiled it) or its time budget runs out.
 */
class SteadyStateAllocationTest {
    private static final long BUDGET_NANOS = 40_000_000_000L;

    @Test
    void kernelsAllocateNothingOnceCompiled() {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        Random random = TestData.random("allocation");
        try (Parallel p = Parallel.create(2)) {
            float[] w = TestData.normal(random, 768 * 768, 0.05);
            Linear outIn = Linear.outIn(Tensor.fromFloats(DType.BF16, w, 768, 768), Tensor.fromFloats(new float[768], 768));
            Linear inOut = Linear.inOut(Tensor.fromFloats(DType.F16, w, 768, 768), null);
            Linear f32 = Linear.outIn(Tensor.fromFloats(w, 768, 768), null);
            Linear outInF16 = Linear.outIn(Tensor.fromFloats(DType.F16, w, 768, 768), null);
            Linear inOutBf16 = Linear.inOut(Tensor.fromFloats(DType.BF16, w, 768, 768), null);
            Linear inOutF32 = Linear.inOut(Tensor.fromFloats(w, 768, 768), null);
            // [out, in] rows of 12 KB, read in pairs
            Linear longRowsF32 = Linear.outIn(Tensor.fromFloats(w, 192, 3072), null);
            Linear longRowsBf16 = Linear.outIn(Tensor.fromFloats(DType.BF16, w, 96, 6144), null);
            Linear longRowsF16 = Linear.outIn(Tensor.fromFloats(DType.F16, w, 96, 6144), null);
            float[] longX = TestData.normal(random, 6144, 1.0);
            Int8Linear int8 = Int8Linear.quantize(outIn);
            QuantizedLinear q8 = QuantizedLinear.quantize(outIn, io.github.vectorlm.tensor.BlockType.Q8_0, Arena.ofAuto());
            QuantizedLinear q4 = QuantizedLinear.quantize(outIn, io.github.vectorlm.tensor.BlockType.Q4_0, Arena.ofAuto());
            float[] x = TestData.normal(random, 8 * 768, 1.0);
            float[] y = new float[8 * 768];
            Tensor norm = Tensor.fromFloats(new float[768], 768);
            RopeTable rope = RopeTable.create(64, 10000, 64);
            float[] keys = TestData.normal(random, 64 * 768, 1.0);
            float[] values = TestData.normal(random, 64 * 768, 1.0);
            float[] scratch = new float[Attention.scratchSize(64, 64, p)];
            int[] ids = {1, 2, 3};
            int[] topIndex = new int[5];
            float[] topValue = new float[5];
            Map<String, Runnable> kernels = new LinkedHashMap<>();
            kernels.put("gemv OUT_IN BF16", () -> Matmul.linear(y, 0, x, 0, 1, outIn, p));
            kernels.put("gemv IN_OUT F16", () -> Matmul.linear(y, 0, x, 0, 1, inOut, p));
            kernels.put("gemv OUT_IN F32", () -> Matmul.linear(y, 0, x, 0, 1, f32, p));
            kernels.put("gemv OUT_IN F32 12 KB rows", () -> Matmul.linear(y, 0, x, 0, 1, longRowsF32, p));
            kernels.put("gemv OUT_IN BF16 12 KB rows", () -> Matmul.linear(y, 0, longX, 0, 1, longRowsBf16, p));
            kernels.put("gemv OUT_IN F16 12 KB rows", () -> Matmul.linear(y, 0, longX, 0, 1, longRowsF16, p));
            kernels.put("gemv OUT_IN F16", () -> Matmul.linear(y, 0, x, 0, 1, outInF16, p));
            kernels.put("gemv IN_OUT BF16", () -> Matmul.linear(y, 0, x, 0, 1, inOutBf16, p));
            kernels.put("gemv IN_OUT F32", () -> Matmul.linear(y, 0, x, 0, 1, inOutF32, p));
            kernels.put("gemm 8 rows", () -> Matmul.linear(y, 0, x, 0, 8, outIn, p));
            kernels.put("each row OUT_IN BF16", () -> Matmul.linearEachRow(y, 0, x, 0, 8, outIn, p));
            kernels.put("each row OUT_IN F32", () -> Matmul.linearEachRow(y, 0, x, 0, 6, f32, p));
            kernels.put("each row IN_OUT F16 (parts)", () -> Matmul.linearEachRow(y, 0, x, 0, 8, inOut, p));
            kernels.put("each row IN_OUT F32 (parts)", () -> Matmul.linearEachRow(y, 0, x, 0, 5, inOutF32, p));
            kernels.put("int8 each row", () -> Matmul.linearEachRow(y, 0, x, 0, 3, int8, p));
            kernels.put("int8 gemv", () -> Matmul.linear(y, 0, x, 0, 1, int8, p));
            kernels.put("int8 gemm", () -> Matmul.linear(y, 0, x, 0, 8, int8, p));
            kernels.put("q8_0 gemv", () -> Matmul.linear(y, 0, x, 0, 1, q8, p));
            kernels.put("q4_0 gemv", () -> Matmul.linear(y, 0, x, 0, 1, q4, p));
            kernels.put("q8_0 each row", () -> Matmul.linearEachRow(y, 0, x, 0, 3, q8, p));
            kernels.put("q4_0 gemm", () -> Matmul.linear(y, 0, x, 0, 8, q4, p));
            kernels.put("q8_0 gemm", () -> Matmul.linear(y, 0, x, 0, 8, q8, p));
            kernels.put("layernorm", () -> Norms.layerNorm(y, 0, x, 0, 8, 768, norm, norm, 1e-5f));
            kernels.put("attention", () -> Attention.causal(y, 0, x, 0, 2, 30, keys, values, 12, 64, scratch, p));
            kernels.put("attention prefill", () -> Attention.causal(y, 0, x, 0, 8, 30, keys, values, 12, 64, scratch, p));
            kernels.put("rope", () -> Rope.apply(y, 0, 2, 12, 64, 5, rope));
            kernels.put("gelu tanh", () -> Activations.geluTanh(y, 0, 3000));
            kernels.put("gelu erf", () -> Activations.geluErf(y, 0, 3000));
            kernels.put("softmax", () -> Softmax.softmax(y, 0, 777));
            kernels.put("embeddings", () -> {
                Embeddings.lookup(y, 0, outIn.weight(), ids, 0, 3);
                Embeddings.addPositions(y, 0, inOut.weight(), 4, 3);
            });
            kernels.put("residual, argmax, top-k", () -> {
                VectorMath.add(y, 0, x, 0, 768);
                VectorMath.argmax(y, 0, 768);
                VectorMath.topK(y, 0, 768, 5, topIndex, topValue);
            });
            Map<String, Long> allocating = new LinkedHashMap<>();
            for (Map.Entry<String, Runnable> kernel : kernels.entrySet()) {
                long deadline = System.nanoTime() + BUDGET_NANOS;
                long allocated;
                int batches = 0;
                do {
                    long before = threads.getCurrentThreadAllocatedBytes();
                    for (int i = 0; i < 100; i++) {
                        kernel.getValue().run();
                    }
                    allocated = threads.getCurrentThreadAllocatedBytes() - before;
                    batches++;
                } while (allocated > 0 && System.nanoTime() < deadline);
                System.out.println(kernel.getKey() + ": " + allocated + " bytes per 100 calls after " + batches
                        + " batches");
                if (allocated > 0) {
                    allocating.put(kernel.getKey(), allocated);
                }
            }
            assertThat(allocating).as("kernels that still allocate (bytes per 100 calls) once compiled").isEmpty();
        }
    }
}
