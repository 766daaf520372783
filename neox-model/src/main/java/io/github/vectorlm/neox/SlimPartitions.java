package io.github.vectorlm.neox;

import io.github.vectorlm.checkpoint.CheckpointException;
import io.github.vectorlm.checkpoint.TensorInfo;
import io.github.vectorlm.decoder.WeightChecks;
import io.github.vectorlm.decoder.WeightMappingException;
import io.github.vectorlm.neox.NeoxWeightLayout.Merge;
import io.github.vectorlm.neox.NeoxWeightLayout.SlimEntry;
import io.github.vectorlm.tensor.DType;
import io.github.vectorlm.tensor.Shape;
import io.github.vectorlm.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The four rules by which NeoX's tensor-parallel partitions of one tensor make the whole
 * ({@link Merge}): the check of their metadata before anything is read, and the merge itself into
 * a fresh tensor. {@link NeoxSlimMerger} finds the files and walks the pipeline layers.
 */
final class SlimPartitions {
    private SlimPartitions() {
    }

    /** Checks that the partitions of one tensor exist, agree in dtype, and merge to the expected shape. */
    static void check(List<String> problems, SlimEntry e, List<Path> parts,
            List<Map<String, TensorInfo>> infos, long[] expected) {
        String name = e.name();
        List<TensorInfo> pieces = new ArrayList<>();
        for (int p = 0; p < parts.size(); p++) {
            TensorInfo info = infos.get(p).get(name);
            if (info == null) {
                problems.add(parts.get(p).getFileName() + ": missing '" + name + "'");
                return;
            }
            pieces.add(info);
        }
        String where = "'" + name + "' in " + parts.get(0).getFileName()
                + (parts.size() > 1 ? " .. " + parts.get(parts.size() - 1).getFileName() : "");
        DType dtype = pieces.get(0).dtype();
        for (TensorInfo t : pieces) {
            if (t.dtype() != dtype) {
                problems.add(where + ": partitions differ in dtype (" + dtypes(pieces) + ")");
                return;
            }
        }
        if (!WeightChecks.isFloat(dtype)) {
            problems.add(where + " is " + dtype + ", expected F32, F16 or BF16");
            return;
        }
        long[] merged = mergedShape(e.merge(), pieces);
        if (merged == null) {
            problems.add(where + ": partition shapes " + shapes(pieces) + " do not " + switch (e.merge()) {
                case CONCAT_ROWS -> "concatenate along dim 0";
                case CONCAT_COLUMNS -> "concatenate along dim 1";
                case SUM, DUPLICATE -> "agree";
            });
        } else if (!Arrays.equals(merged, expected)) {
            problems.add(where + ": partitions " + shapes(pieces) + " merge to " + Arrays.toString(merged)
                    + ", expected " + Arrays.toString(expected));
        }
    }

    /** The shape the partitions merge to under {@code rule}, or null if they cannot. */
    private static long[] mergedShape(Merge rule, List<TensorInfo> pieces) {
        long[] first = pieces.get(0).shape().toArray();
        int axis = switch (rule) {
            case CONCAT_ROWS -> 0;
            case CONCAT_COLUMNS -> 1;
            case SUM, DUPLICATE -> -1;
        };
        if (axis >= first.length) {
            return null;
        }
        long[] out = first.clone();
        for (int p = 1; p < pieces.size(); p++) {
            long[] dims = pieces.get(p).shape().toArray();
            if (dims.length != first.length) {
                return null;
            }
            for (int i = 0; i < dims.length; i++) {
                if (i == axis) {
                    out[i] = Math.addExact(out[i], dims[i]);
                } else if (dims[i] != first[i]) {
                    return null;
                }
            }
        }
        return out;
    }

    private static String shapes(List<TensorInfo> pieces) {
        StringBuilder sb = new StringBuilder();
        for (TensorInfo t : pieces) {
            sb.append(sb.isEmpty() ? "" : ", ").append(t.shape());
        }
        return sb.toString();
    }

    private static String dtypes(List<TensorInfo> pieces) {
        StringBuilder sb = new StringBuilder();
        for (TensorInfo t : pieces) {
            sb.append(sb.isEmpty() ? "" : ", ").append(t.dtype());
        }
        return sb.toString();
    }

    /** Merges checked partitions into a fresh tensor of {@code arena}. */
    static Tensor merge(Merge rule, String name, List<Path> files, List<Tensor> pieces, Shape shape,
            Arena arena) throws CheckpointException {
        DType dtype = pieces.get(0).dtype();
        int size = dtype.byteSize();
        return switch (rule) {
            case CONCAT_ROWS -> {
                Tensor out = Tensor.allocate(arena, dtype, shape.toArray());
                long at = 0;
                for (Tensor t : pieces) {
                    MemorySegment src = t.contiguous().contiguousData();
                    MemorySegment.copy(src, 0, out.segment(), at, src.byteSize());
                    at += src.byteSize();
                }
                yield out;
            }
            case CONCAT_COLUMNS -> {
                Tensor out = Tensor.allocate(arena, dtype, shape.toArray());
                long rows = shape.dim(0);
                long rowBytes = shape.dim(1) * size;
                long column = 0;
                for (Tensor t : pieces) {
                    Tensor c = t.contiguous();
                    long pieceRowBytes = c.dim(1) * size;
                    MemorySegment src = c.contiguousData();
                    for (long r = 0; r < rows; r++) {
                        MemorySegment.copy(src, r * pieceRowBytes, out.segment(), r * rowBytes + column, pieceRowBytes);
                    }
                    column += pieceRowBytes;
                }
                yield out;
            }
            case SUM -> {
                float[] sum = new float[checkedLength(shape)];
                for (Tensor t : pieces) {
                    float[] v = t.toFloatArray();
                    for (int i = 0; i < sum.length; i++) {
                        sum[i] += v[i];
                    }
                }
                yield Tensor.fromFloats(dtype, sum, shape.toArray()).copyTo(arena);
            }
            case DUPLICATE -> {
                float[] first = pieces.get(0).toFloatArray();
                float[] sum = first.clone();
                for (int p = 1; p < pieces.size(); p++) {
                    float[] v = pieces.get(p).toFloatArray();
                    double squares = 0;
                    for (int i = 0; i < v.length; i++) {
                        double diff = (double) v[i] - first[i];
                        squares += diff * diff;
                        sum[i] += v[i];
                    }
                    if (!(squares < NeoxSlimMerger.DUPLICATE_TOLERANCE)) {
                        throw new WeightMappingException(files.get(p), "GPT-NeoX slim weights", List.of("'" + name
                                + "' should be the same in every partition, but partition " + p + " differs from "
                                + "partition 0 (" + files.get(0).getFileName() + ") by a squared difference of "
                                + squares + " (at most " + NeoxSlimMerger.DUPLICATE_TOLERANCE + " is accepted)"));
                    }
                }
                for (int i = 0; i < sum.length; i++) {
                    sum[i] /= pieces.size();
                }
                yield Tensor.fromFloats(dtype, sum, shape.toArray()).copyTo(arena);
            }
        };
    }

    private static int checkedLength(Shape shape) {
        if (shape.numel() > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("vector " + shape + " too large");
        }
        return (int) shape.numel();
    }
}
