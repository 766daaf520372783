package io.github.vectorlm.spark;

import java.util.Objects;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;

/**
 * What the VectorLM transformers share: the model path, the input column, the window of rows in
 * flight per task (setters return {@code T}, the transformer itself), and the plan: every partition's rows stream through the executor's shared
 * model ({@link ExecutorModels}) and come out in order with the new columns appended.
 */
public abstract class VectorLmTransformer<T extends VectorLmTransformer<T>> extends Transformer {
    private static final long serialVersionUID = 1L;

    private final String uid;
    private final Param<String> modelPath;
    private final Param<String> inputCol;
    private final IntParam maxInFlight;

    /**
     * @param uid this stage's id
     * @param defaultInput the input column's default name
     */
    protected VectorLmTransformer(String uid, String defaultInput) {
        this.uid = Objects.requireNonNull(uid, "uid");
        this.modelPath = new Param<>(this, "modelPath",
                "the model folder or file (a tokenizer file for the tokenizer), at this path on every executor");
        this.inputCol = new Param<>(this, "inputCol", "the input column (strings)");
        this.maxInFlight = new IntParam(this, "maxInFlight",
                "the most rows of one task in flight in the batching engine (>= 1)", ParamValidators.gtEq(1));
        setDefault(inputCol, defaultInput);
        setDefault(maxInFlight, 32);
    }

    @Override
    public String uid() {
        return uid;
    }

    /** The model folder or file, at this path on every executor (no default). */
    public Param<String> modelPath() {
        return modelPath;
    }

    /** The input column: the texts. */
    public Param<String> inputCol() {
        return inputCol;
    }

    /** The most rows of one task in flight in the batching engine at once (default 32). */
    public IntParam maxInFlight() {
        return maxInFlight;
    }

    /** The model path. */
    public String getModelPath() {
        return isDefined(modelPath) ? $(modelPath) : null;
    }

    /** The input column. */
    public String getInputCol() {
        return $(inputCol);
    }

    /** The window of rows in flight per task. */
    public int getMaxInFlight() {
        return (Integer) $(maxInFlight);
    }

    /** Sets the model path; returns this. */
    public T setModelPath(String path) {
        set(modelPath, path);
        return self();
    }

    /** Sets the input column; returns this. */
    public T setInputCol(String column) {
        set(inputCol, column);
        return self();
    }

    /** Sets the window of rows in flight per task; returns this. */
    public T setMaxInFlight(int rows) {
        set(maxInFlight, rows);
        return self();
    }

    /**
     * The function that turns a partition's rows into output rows; it runs on the executors.
     *
     * @param schema the input schema, already checked by {@link #transformSchema}
     */
    protected abstract MapPartitionsFunction<Row, Row> partitionFunction(StructType schema);

    /**
     * The input rows with this transformer's columns appended; nothing runs until an action.
     *
     * @throws IllegalArgumentException if the model path is not set, the input column is missing
     *     or not strings, or an output column is already there
     */
    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        StructType out = transformSchema(dataset.schema());
        return dataset.toDF().mapPartitions(partitionFunction(dataset.schema()), Encoders.row(out));
    }

    /** The name of this kind of transformer, for error messages. */
    protected String kind() {
        return getClass().getSimpleName();
    }

    /** Checks that the model path is set. */
    protected String requireModelPath() {
        String path = getModelPath();
        if (path == null || path.isBlank()) {
            throw new IllegalArgumentException(kind() + ": no model path set (setModelPath)");
        }
        return path;
    }

    @Override
    public Transformer copy(ParamMap extra) {
        return defaultCopy(extra);
    }

    @SuppressWarnings("unchecked")
    private T self() {
        return (T) this;
    }

    /** {@code row}'s values followed by {@code extra}. */
    static Row append(Row row, Object... extra) {
        int n = row.length();
        Object[] values = new Object[n + extra.length];
        for (int i = 0; i < n; i++) {
            values[i] = row.get(i);
        }
        System.arraycopy(extra, 0, values, n, extra.length);
        return RowFactory.create(values);
    }
}
