package io.github.vectorlm.decoder;

import io.github.vectorlm.checkpoint.GgmlType;
import io.github.vectorlm.tensor.DType;
import java.util.Locale;

/**
 * The weight type an export writes ({@code --quantize}); none given means the type the weights are
 * stored in. Q8_0 and Q4_0 are GGUF block types and are refused for Hugging Face folders.
 */
public enum ExportType {
    /** IEEE binary32. */
    F32(DType.F32, GgmlType.F32, 0),
    /** IEEE binary16. */
    F16(DType.F16, GgmlType.F16, 1),
    /** bfloat16. */
    BF16(DType.BF16, GgmlType.BF16, 32),
    /** ggml's blocks of 32 int8 values with an f16 scale (GGUF only). */
    Q8_0(null, GgmlType.Q8_0, 7),
    /** ggml's blocks of 32 4-bit values with an f16 scale (GGUF only). */
    Q4_0(null, GgmlType.Q4_0, 2);

    private final DType dtype;
    private final GgmlType ggml;
    private final int fileType;

    ExportType(DType dtype, GgmlType ggml, int fileType) {
        this.dtype = dtype;
        this.ggml = ggml;
        this.fileType = fileType;
    }

    /**
     * The element type of a Hugging Face export.
     *
     * @return the dtype, or null for a block type
     */
    public DType dtype() {
        return dtype;
    }

    /**
     * The ggml type of the matrices of a GGUF export.
     *
     * @return the ggml type
     */
    public GgmlType ggml() {
        return ggml;
    }

    /**
     * llama.cpp's {@code general.file_type} ({@code enum llama_ftype}) for a file of this type.
     *
     * @return e.g. 7 for {@code MOSTLY_Q8_0}
     */
    public int fileType() {
        return fileType;
    }

    /**
     * The type of a stored dtype.
     *
     * @param dtype F32, F16 or BF16
     * @return the export type
     * @throws IllegalArgumentException for another dtype
     */
    public static ExportType of(DType dtype) {
        return switch (dtype) {
            case F32 -> F32;
            case F16 -> F16;
            case BF16 -> BF16;
            default -> throw new IllegalArgumentException("weights of " + dtype + " cannot be exported");
        };
    }

    /**
     * The type named {@code name}, case-insensitively ({@code f32}, {@code f16}, {@code bf16},
     * {@code q8_0}, {@code q4_0}).
     *
     * @param name the name
     * @return the type
     * @throws IllegalArgumentException naming the known ones
     */
    public static ExportType parse(String name) {
        try {
            return valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown export type '" + name + "': f32, f16, bf16, q8_0 or q4_0");
        }
    }
}
