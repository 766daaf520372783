package io.github.vectorlm.checkpoint;

import io.github.vectorlm.tensor.BlockType;
import io.github.vectorlm.tensor.DType;

/**
 * The tensor types of GGUF files, by their ggml id ({@code enum ggml_type} in {@code ggml.h}):
 * plain element types, which are {@link DType}s, and block-quantized ones, which are
 * {@link BlockType}s. Ids that ggml has retired (4, 5: Q4_2 and Q4_3; 31–33 and 36–38: the
 * repacked Q4_0 and IQ4_NL layouts no GGUF file may hold) are not listed.
 */
public enum GgmlType {
    /** IEEE binary32. */
    F32(0, DType.F32, null),
    /** IEEE binary16. */
    F16(1, DType.F16, null),
    /** See {@link BlockType#Q4_0}. */
    Q4_0(2, null, BlockType.Q4_0),
    /** See {@link BlockType#Q4_1}. */
    Q4_1(3, null, BlockType.Q4_1),
    /** See {@link BlockType#Q5_0}. */
    Q5_0(6, null, BlockType.Q5_0),
    /** See {@link BlockType#Q5_1}. */
    Q5_1(7, null, BlockType.Q5_1),
    /** See {@link BlockType#Q8_0}. */
    Q8_0(8, null, BlockType.Q8_0),
    /** See {@link BlockType#Q8_1}. */
    Q8_1(9, null, BlockType.Q8_1),
    /** See {@link BlockType#Q2_K}. */
    Q2_K(10, null, BlockType.Q2_K),
    /** See {@link BlockType#Q3_K}. */
    Q3_K(11, null, BlockType.Q3_K),
    /** See {@link BlockType#Q4_K}. */
    Q4_K(12, null, BlockType.Q4_K),
    /** See {@link BlockType#Q5_K}. */
    Q5_K(13, null, BlockType.Q5_K),
    /** See {@link BlockType#Q6_K}. */
    Q6_K(14, null, BlockType.Q6_K),
    /** See {@link BlockType#Q8_K}. */
    Q8_K(15, null, BlockType.Q8_K),
    /** See {@link BlockType#IQ2_XXS}. */
    IQ2_XXS(16, null, BlockType.IQ2_XXS),
    /** See {@link BlockType#IQ2_XS}. */
    IQ2_XS(17, null, BlockType.IQ2_XS),
    /** See {@link BlockType#IQ3_XXS}. */
    IQ3_XXS(18, null, BlockType.IQ3_XXS),
    /** See {@link BlockType#IQ1_S}. */
    IQ1_S(19, null, BlockType.IQ1_S),
    /** See {@link BlockType#IQ4_NL}. */
    IQ4_NL(20, null, BlockType.IQ4_NL),
    /** See {@link BlockType#IQ3_S}. */
    IQ3_S(21, null, BlockType.IQ3_S),
    /** See {@link BlockType#IQ2_S}. */
    IQ2_S(22, null, BlockType.IQ2_S),
    /** See {@link BlockType#IQ4_XS}. */
    IQ4_XS(23, null, BlockType.IQ4_XS),
    /** signed 8-bit integer. */
    I8(24, DType.I8, null),
    /** signed 16-bit integer. */
    I16(25, DType.I16, null),
    /** signed 32-bit integer. */
    I32(26, DType.I32, null),
    /** signed 64-bit integer. */
    I64(27, DType.I64, null),
    /** IEEE binary64. */
    F64(28, DType.F64, null),
    /** See {@link BlockType#IQ1_M}. */
    IQ1_M(29, null, BlockType.IQ1_M),
    /** bfloat16. */
    BF16(30, DType.BF16, null),
    /** See {@link BlockType#TQ1_0}. */
    TQ1_0(34, null, BlockType.TQ1_0),
    /** See {@link BlockType#TQ2_0}. */
    TQ2_0(35, null, BlockType.TQ2_0),
    /** See {@link BlockType#MXFP4}. */
    MXFP4(39, null, BlockType.MXFP4),
    /** See {@link BlockType#NVFP4}. */
    NVFP4(40, null, BlockType.NVFP4),
    /** See {@link BlockType#Q1_0}. */
    Q1_0(41, null, BlockType.Q1_0);

    private static final GgmlType[] BY_ID = new GgmlType[64];

    static {
        for (GgmlType t : values()) {
            BY_ID[t.id] = t;
        }
    }

    private final int id;
    private final DType dtype;
    private final BlockType blockType;

    GgmlType(int id, DType dtype, BlockType blockType) {
        this.id = id;
        this.dtype = dtype;
        this.blockType = blockType;
    }

    /** ggml's number for the type, as GGUF tensor infos store it. */
    public int id() {
        return id;
    }

    /** The element type of a plain type, or null for a block type. */
    public DType dtype() {
        return dtype;
    }

    /** The block type of a block-quantized type, or null for a plain one. */
    public BlockType blockType() {
        return blockType;
    }

    /** The type with ggml id {@code id}, or null if there is none (retired, or newer than this library). */
    public static GgmlType ofId(long id) {
        return id >= 0 && id < BY_ID.length ? BY_ID[(int) id] : null;
    }
}
