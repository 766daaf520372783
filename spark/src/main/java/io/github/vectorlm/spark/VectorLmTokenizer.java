package io.github.vectorlm.spark;

import io.github.vectorlm.generation.Tokenizer;
import java.util.Iterator;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.util.DefaultParamsReadable;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Tokenizes a text column: adds an {@code ids} column (array of int), the ids the tokenizer gives
 * the text ({@code Tokenizer.encode}). The model path is a tokenizer file ({@code tokenizer.json},
 * {@code encoder.json} with {@code vocab.bpe} beside it) or a folder holding one. A null text gives
 * a null array. {@code maxInFlight} does not apply: rows are tokenized one by one as they stream.
 */
public final class VectorLmTokenizer extends VectorLmTransformer<VectorLmTokenizer> implements DefaultParamsWritable {
    private static final long serialVersionUID = 1L;

    /** Reads a saved VectorLmTokenizer (its parameters), as {@code PipelineModel.load} does. */
    public static MLReader<VectorLmTokenizer> read() {
        return new DefaultParamsReadable<VectorLmTokenizer>() {
        }.read();
    }

    /** Loads a VectorLmTokenizer saved with {@code write().save(path)}. */
    public static VectorLmTokenizer load(String path) {
        return read().load(path);
    }

    private final Param<String> outputCol;

    /** A tokenizer with a random id. */
    public VectorLmTokenizer() {
        this(Identifiable$.MODULE$.randomUID("vectorLmTokenizer"));
    }

    /** A tokenizer with the id {@code uid}. */
    public VectorLmTokenizer(String uid) {
        super(uid, "text");
        outputCol = new Param<>(this, "outputCol", "the output column of token ids");
        setDefault(outputCol, "ids");
    }

    /** The output column (default {@code ids}). */
    public Param<String> outputCol() {
        return outputCol;
    }

    /** Sets the output column; returns this. */
    public VectorLmTokenizer setOutputCol(String column) {
        set(outputCol, column);
        return this;
    }

    @Override
    public StructType transformSchema(StructType schema) {
        requireModelPath();
        Columns.input(kind(), schema, getInputCol(), DataTypes.StringType);
        return Columns.withOutputs(kind(), schema, DataTypes.createStructField($(outputCol),
                DataTypes.createArrayType(DataTypes.IntegerType, false), true));
    }

    @Override
    protected MapPartitionsFunction<Row, Row> partitionFunction(StructType schema) {
        return new TokenizeRows(requireModelPath(), schema.fieldIndex(getInputCol()));
    }

    /** Runs on the executors. */
    private record TokenizeRows(String tokenizerPath, int column) implements MapPartitionsFunction<Row, Row> {
        @Override
        public Iterator<Row> call(Iterator<Row> rows) {
            Tokenizer tokenizer = ExecutorModels.tokenizer(tokenizerPath);
            return new Iterator<>() {
                @Override
                public boolean hasNext() {
                    return rows.hasNext();
                }

                @Override
                public Row next() {
                    Row row = rows.next();
                    if (row.isNullAt(column)) {
                        return append(row, (Object) null);
                    }
                    int[] ids = tokenizer.encode(row.getString(column));
                    Integer[] boxed = new Integer[ids.length];
                    for (int i = 0; i < ids.length; i++) {
                        boxed[i] = ids[i];
                    }
                    return append(row, (Object) boxed);
                }
            };
        }
    }
}
