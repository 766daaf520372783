package io.github.vectorlm.checkpoint;

import io.github.vectorlm.tensor.DType;

/** TensorFlow's {@code DataType} enum numbers (tensorflow/core/framework/types.proto) and their {@link DType}s. */
final class TfDataType {
    static final int DT_STRING = 7;
    static final String SUPPORTED = "DT_FLOAT, DT_DOUBLE, DT_HALF, DT_BFLOAT16, DT_FLOAT8_E5M2, DT_FLOAT8_E4M3FN, "
            + "DT_INT8/16/32/64, DT_UINT8/16/32/64, DT_BOOL, DT_STRING";

    private static final String[] NAMES = {
        "DT_INVALID", "DT_FLOAT", "DT_DOUBLE", "DT_INT32", "DT_UINT8", "DT_INT16", "DT_INT8", "DT_STRING",
        "DT_COMPLEX64", "DT_INT64", "DT_BOOL", "DT_QINT8", "DT_QUINT8", "DT_QINT32", "DT_BFLOAT16", "DT_QINT16",
        "DT_QUINT16", "DT_UINT16", "DT_COMPLEX128", "DT_HALF", "DT_RESOURCE", "DT_VARIANT", "DT_UINT32",
        "DT_UINT64", "DT_FLOAT8_E5M2", "DT_FLOAT8_E4M3FN",
    };

    private TfDataType() {
    }

    /** The tensor-core type of a TF dtype, or null (DT_STRING and the unsupported ones). */
    static DType toDType(long tfType) {
        return switch ((int) Math.max(Math.min(tfType, Integer.MAX_VALUE), -1)) {
            case 1 -> DType.F32;
            case 2 -> DType.F64;
            case 3 -> DType.I32;
            case 4 -> DType.U8;
            case 5 -> DType.I16;
            case 6 -> DType.I8;
            case 9 -> DType.I64;
            case 10 -> DType.BOOL;
            case 14 -> DType.BF16;
            case 17 -> DType.U16;
            case 19 -> DType.F16;
            case 22 -> DType.U32;
            case 23 -> DType.U64;
            case 24 -> DType.F8_E5M2;
            case 25 -> DType.F8_E4M3;
            default -> null;
        };
    }

    /** The enum name, e.g. {@code DT_COMPLEX64}, or {@code DT_<number>} for ones newer than this list. */
    static String name(long tfType) {
        if (tfType > 100 && tfType - 100 < NAMES.length) {
            return NAMES[(int) tfType - 100] + "_REF";
        }
        return tfType >= 0 && tfType < NAMES.length ? NAMES[(int) tfType] : "DT_" + tfType;
    }
}
