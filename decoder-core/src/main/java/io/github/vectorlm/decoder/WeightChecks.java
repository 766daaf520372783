package io.github.vectorlm.decoder;

import io.github.vectorlm.tensor.DType;
import io.github.vectorlm.tensor.Shape;
import java.util.Arrays;
import java.util.List;

/** The checks every stored weight passes, phrased as the problem lines of a {@link WeightMappingException}. */
public final class WeightChecks {
    private WeightChecks() {
    }

    /**
     * Adds a line to {@code problems} for a shape other than {@code expected}, and one for a dtype
     * the kernels cannot read as stored.
     *
     * @param problems where problem lines go
     * @param what the tensor as messages name it, e.g. {@code 'h.0.attn.c_attn.weight'} with the quotes
     * @param dtype its dtype
     * @param shape its shape
     * @param expected the shape the model needs
     */
    public static void checkShapeAndType(List<String> problems, String what, DType dtype, Shape shape,
            long[] expected) {
        if (!shape.equals(Shape.of(expected))) {
            problems.add(what + " has shape " + shape + ", expected " + Arrays.toString(expected));
        }
        if (!isFloat(dtype)) {
            problems.add(what + " is " + dtype + ", expected F32, F16 or BF16");
        }
    }

    /**
     * Whether the kernels read {@code dtype} weights as stored.
     *
     * @param dtype the dtype
     * @return true for F32, F16 and BF16
     */
    public static boolean isFloat(DType dtype) {
        return dtype == DType.F32 || dtype == DType.F16 || dtype == DType.BF16;
    }

    /**
     * {@code 'a'}, {@code 'a' or 'b'}, {@code 'a', 'b' or 'c'}: names quoted for a message.
     *
     * @param names the names
     * @param conjunction "or", "and"
     * @return the text
     */
    public static String quoteAll(List<String> names, String conjunction) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < names.size(); i++) {
            sb.append(i == 0 ? "" : i == names.size() - 1 ? " " + conjunction + " " : ", ")
                    .append('\'').append(names.get(i)).append('\'');
        }
        return sb.toString();
    }
}
