package io.github.vectorlm.tensor.ops;

import java.util.Locale;

/**
 * The GEMM register tile for this CPU: {@code rows} of x × {@code vectors} vectors of outputs,
 * chosen once, when the class is initialised, from the vector length and the vector register file
 * (the way BLIS picks a kernel per microarchitecture). The accumulators, the weight vectors of one
 * step and a broadcast must fit the register file, or the inner loop spills. Measured with
 * {@code GemmBenchmark} (512×768×3072 and 512×3072×768, both layouts, one thread, GFLOP/s) on a
 * Zen 5 core, whose AVX-512 hardware runs the other shapes through {@code -XX:UseAVX=2} (16
 * registers) and {@code -XX:MaxVectorSize} (narrower vectors, 32 registers):
 *
 * <ul>
 *   <li>16 lanes, 32 registers (AVX-512): 8×2, 16 accumulators (best of 4–14 rows × 2–4 vectors
 *       on Zen 4; 14×2 runs out of registers).
 *   <li>8 lanes, 16 registers (AVX2): 5×2: 86–92 against 4×2 75–84, 3×3 64–89, and 6×2 (BLIS's
 *       Haswell tile, 15 registers on paper) 39–49, no better than 8×2's 42–46: C2 spills there.
 *   <li>4 lanes, 16 registers (SSE-width vectors on x86): 5×2 40–49, 4×2 42–43; 6×2 and 8×2 22–26.
 *   <li>8 lanes, 32 registers: 8×3 94–101, 12×2 89–93, 8×2 85–90.
 *   <li>4 lanes, 32 registers (ARM NEON's file; BLIS's ARMv8 tile is 8×12 floats): 8×3 48–50,
 *       6×3 49–51, 8×2 48–50, 5×2 45–48.
 * </ul>
 *
 * <p>The system property {@code vectorlm.gemm.tile} ({@code 5x2}, …, any tile of
 * {@link GemmKernels}) overrides the choice, for measuring. Which tile runs never changes a result:
 * every output is one FMA chain over the inputs in order.
 *
 * @param rows rows of x per tile
 * @param vectors output vectors per tile
 */
record GemmTile(int rows, int vectors) {
    /** The tiles {@link GemmKernels} has a kernel for. */
    static final GemmTile[] AVAILABLE = {
        new GemmTile(8, 2), new GemmTile(8, 3), new GemmTile(5, 2), new GemmTile(6, 2), new GemmTile(3, 3),
        new GemmTile(4, 2), new GemmTile(6, 3), new GemmTile(12, 2),
    };

    /** The tile of this JVM (after {@link #AVAILABLE}, which it reads). */
    static final GemmTile CHOSEN = choose(Simd.L, Simd.REGISTERS, System.getProperty("vectorlm.gemm.tile"));

    /**
     * The tile for {@code lanes}-float vectors and {@code registers} vector registers, or the one
     * {@code override} names ("RxV").
     *
     * @throws IllegalArgumentException if {@code override} names no available tile
     */
    static GemmTile choose(int lanes, int registers, String override) {
        if (override != null && !override.isBlank()) {
            for (GemmTile t : AVAILABLE) {
                if (t.toString().equals(override.trim().toLowerCase(Locale.ROOT))) {
                    return t;
                }
            }
            throw new IllegalArgumentException("vectorlm.gemm.tile=" + override + ": no such GEMM tile; one of "
                    + java.util.Arrays.toString(AVAILABLE));
        }
        if (registers >= 32) {
            return lanes >= 16 ? new GemmTile(8, 2) : new GemmTile(8, 3);
        }
        return new GemmTile(5, 2);
    }

    /** Accumulators the tile keeps in registers. */
    int accumulators() {
        return rows * vectors;
    }

    @Override
    public String toString() {
        return rows + "x" + vectors;
    }
}
