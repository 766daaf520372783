package io.github.vectorlm.spark;

import io.github.vectorlm.generation.GenerationOptions;
import io.github.vectorlm.generation.GenerationResult;
import io.github.vectorlm.generation.SamplingOptions;
import io.github.vectorlm.generation.TokenListener;
import java.util.Iterator;
import java.util.concurrent.CompletableFuture;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.util.DefaultParamsReadable;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Completes a prompt column with a language model: adds a {@code completion} column (string, the
 * generated text without the prompt), each what {@code Generator} gives the prompt alone with the
 * same options. Every row is sampled with the same {@code seed}, so a task retried by Spark
 * writes the same completions. Temperature 0 (the default) is greedy decoding. A null prompt, an
 * empty one and one longer than the model's context give a null completion.
 *
 * <pre>{@code
 * Dataset<Row> done = new VectorLmGenerator().setModelPath("/models/gpt2")
 *         .setMaxNewTokens(50).setTemperature(0.8).setTopK(40).setSeed(7).transform(prompts);
 * }</pre>
 */
public final class VectorLmGenerator extends VectorLmTransformer<VectorLmGenerator> implements DefaultParamsWritable {
    private static final long serialVersionUID = 1L;

    /** Reads a saved VectorLmGenerator (its parameters), as {@code PipelineModel.load} does. */
    public static MLReader<VectorLmGenerator> read() {
        return new DefaultParamsReadable<VectorLmGenerator>() {
        }.read();
    }

    /** Loads a VectorLmGenerator saved with {@code write().save(path)}. */
    public static VectorLmGenerator load(String path) {
        return read().load(path);
    }

    private final Param<String> outputCol;
    private final IntParam maxNewTokens;
    private final DoubleParam temperature;
    private final IntParam topK;
    private final DoubleParam topP;
    private final LongParam seed;

    /** A generator with a random id. */
    public VectorLmGenerator() {
        this(Identifiable$.MODULE$.randomUID("vectorLmGenerator"));
    }

    /** A generator with the id {@code uid}. */
    public VectorLmGenerator(String uid) {
        super(uid, "prompt");
        outputCol = new Param<>(this, "outputCol", "the output column of completions");
        maxNewTokens = new IntParam(this, "maxNewTokens", "the most tokens generated per row (>= 0)",
                ParamValidators.gtEq(0));
        temperature = new DoubleParam(this, "temperature", "divides the logits; 0 is greedy (>= 0)",
                ParamValidators.gtEq(0));
        topK = new IntParam(this, "topK", "keep the k most likely tokens; 0 is off (>= 0)", ParamValidators.gtEq(0));
        topP = new DoubleParam(this, "topP", "keep the most likely tokens up to this probability; 1 is off, in (0, 1]",
                ParamValidators.inRange(0, 1, false, true));
        seed = new LongParam(this, "seed", "the sampler's seed, the same for every row");
        setDefault(outputCol, "completion");
        setDefault(maxNewTokens, 64);
        setDefault(temperature, 0.0);
        setDefault(topK, 0);
        setDefault(topP, 1.0);
        setDefault(seed, 0L);
    }

    /** The output column (default {@code completion}). */
    public Param<String> outputCol() {
        return outputCol;
    }

    /** The most tokens generated per row (default 64). */
    public IntParam maxNewTokens() {
        return maxNewTokens;
    }

    /** The sampling temperature (default 0: greedy). */
    public DoubleParam temperature() {
        return temperature;
    }

    /** Top-k (default 0: off). */
    public IntParam topK() {
        return topK;
    }

    /** Top-p (default 1: off). */
    public DoubleParam topP() {
        return topP;
    }

    /** The sampler's seed (default 0). */
    public LongParam seed() {
        return seed;
    }

    /** Sets the output column; returns this. */
    public VectorLmGenerator setOutputCol(String column) {
        set(outputCol, column);
        return this;
    }

    /** Sets the most tokens per row; returns this. */
    public VectorLmGenerator setMaxNewTokens(int n) {
        set(maxNewTokens, n);
        return this;
    }

    /** Sets the temperature; returns this. */
    public VectorLmGenerator setTemperature(double t) {
        set(temperature, t);
        return this;
    }

    /** Sets top-k; returns this. */
    public VectorLmGenerator setTopK(int k) {
        set(topK, k);
        return this;
    }

    /** Sets top-p; returns this. */
    public VectorLmGenerator setTopP(double p) {
        set(topP, p);
        return this;
    }

    /** Sets the seed; returns this. */
    public VectorLmGenerator setSeed(long s) {
        set(seed, s);
        return this;
    }

    /** The generation options of every row. */
    public GenerationOptions generationOptions() {
        return sampling().options();
    }

    private Sampling sampling() {
        return new Sampling((Integer) $(maxNewTokens), (Double) $(temperature), (Integer) $(topK), (Double) $(topP),
                (Long) $(seed));
    }

    /** The options as they travel to the executors ({@code GenerationOptions} is not serializable). */
    private record Sampling(int maxNewTokens, double temperature, int topK, double topP, long seed)
            implements java.io.Serializable {
        GenerationOptions options() {
            return GenerationOptions.of(maxNewTokens, new SamplingOptions(temperature, topK, topP, seed));
        }
    }

    @Override
    public StructType transformSchema(StructType schema) {
        requireModelPath();
        Columns.input(kind(), schema, getInputCol(), DataTypes.StringType);
        return Columns.withOutputs(kind(), schema,
                DataTypes.createStructField($(outputCol), DataTypes.StringType, true));
    }

    @Override
    protected MapPartitionsFunction<Row, Row> partitionFunction(StructType schema) {
        return new GenerateRows(requireModelPath(), schema.fieldIndex(getInputCol()), getMaxInFlight(),
                sampling());
    }

    /** Runs on the executors: one partition's prompts through the shared engine. */
    private record GenerateRows(String modelPath, int column, int window, Sampling sampling)
            implements MapPartitionsFunction<Row, Row> {
        @Override
        public Iterator<Row> call(Iterator<Row> rows) {
            GenerationOptions options = sampling.options();
            ExecutorModels.Loaded m = ExecutorModels.model(modelPath);
            int context = m.model().contextLength();
            return new InFlightWindow<>(rows, row -> {
                if (row.isNullAt(column)) {
                    return CompletableFuture.completedFuture(append(row, (Object) null));
                }
                int[] ids = m.tokenizer().encode(row.getString(column));
                if (ids.length == 0 || ids.length > context) {
                    return CompletableFuture.completedFuture(append(row, (Object) null));
                }
                CompletableFuture<GenerationResult> f = m.engine().submit(ids, options, TokenListener.NONE);
                return f.thenApply(g -> append(row, g.text()));
            }, window);
        }
    }
}
