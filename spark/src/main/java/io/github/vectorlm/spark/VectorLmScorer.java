package io.github.vectorlm.spark;

import io.github.vectorlm.generation.Scorer;
import java.util.Iterator;
import java.util.concurrent.CompletableFuture;
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
 * Scores a text column with a language model: adds {@code tokens} (int, the text's token count),
 * {@code loss} (double, the mean cross-entropy in nats of each token given those before it) and
 * {@code perplexity} (double, {@code exp(loss)}), each what {@code Engine.score} and
 * {@code Scorer} give the text alone (one window), as {@code vectorlm score --texts-file} prints.
 * A null text gives nulls; a text of fewer than 2 tokens or more than the model's context gives
 * its token count and a null loss and perplexity.
 *
 * <pre>{@code
 * Dataset<Row> scored = new VectorLmScorer().setModelPath("/models/pythia-160m")
 *         .setInputCol("text").transform(corpus);
 * }</pre>
 */
public final class VectorLmScorer extends VectorLmTransformer<VectorLmScorer> implements DefaultParamsWritable {
    private static final long serialVersionUID = 1L;

    /** Reads a saved VectorLmScorer (its parameters), as {@code PipelineModel.load} does. */
    public static MLReader<VectorLmScorer> read() {
        return new DefaultParamsReadable<VectorLmScorer>() {
        }.read();
    }

    /** Loads a VectorLmScorer saved with {@code write().save(path)}. */
    public static VectorLmScorer load(String path) {
        return read().load(path);
    }

    private final Param<String> tokensCol;
    private final Param<String> lossCol;
    private final Param<String> perplexityCol;

    /** A scorer with a random id. */
    public VectorLmScorer() {
        this(Identifiable$.MODULE$.randomUID("vectorLmScorer"));
    }

    /** A scorer with the id {@code uid}. */
    public VectorLmScorer(String uid) {
        super(uid, "text");
        tokensCol = new Param<>(this, "tokensCol", "the output column of token counts");
        lossCol = new Param<>(this, "lossCol", "the output column of mean cross-entropies (nats per token)");
        perplexityCol = new Param<>(this, "perplexityCol", "the output column of perplexities");
        setDefault(tokensCol, "tokens");
        setDefault(lossCol, "loss");
        setDefault(perplexityCol, "perplexity");
    }

    /** The output column of token counts (default {@code tokens}). */
    public Param<String> tokensCol() {
        return tokensCol;
    }

    /** The output column of losses (default {@code loss}). */
    public Param<String> lossCol() {
        return lossCol;
    }

    /** The output column of perplexities (default {@code perplexity}). */
    public Param<String> perplexityCol() {
        return perplexityCol;
    }

    /** Sets the token-count column; returns this. */
    public VectorLmScorer setTokensCol(String column) {
        set(tokensCol, column);
        return this;
    }

    /** Sets the loss column; returns this. */
    public VectorLmScorer setLossCol(String column) {
        set(lossCol, column);
        return this;
    }

    /** Sets the perplexity column; returns this. */
    public VectorLmScorer setPerplexityCol(String column) {
        set(perplexityCol, column);
        return this;
    }

    @Override
    public StructType transformSchema(StructType schema) {
        requireModelPath();
        Columns.input(kind(), schema, getInputCol(), DataTypes.StringType);
        return Columns.withOutputs(kind(), schema,
                DataTypes.createStructField($(tokensCol), DataTypes.IntegerType, true),
                DataTypes.createStructField($(lossCol), DataTypes.DoubleType, true),
                DataTypes.createStructField($(perplexityCol), DataTypes.DoubleType, true));
    }

    @Override
    protected MapPartitionsFunction<Row, Row> partitionFunction(StructType schema) {
        return new ScoreRows(requireModelPath(), schema.fieldIndex(getInputCol()), getMaxInFlight());
    }

    /** Runs on the executors: one partition's texts through the shared engine. */
    private record ScoreRows(String modelPath, int column, int window) implements MapPartitionsFunction<Row, Row> {
        @Override
        public Iterator<Row> call(Iterator<Row> rows) {
            ExecutorModels.Loaded m = ExecutorModels.model(modelPath);
            int context = m.model().contextLength();
            return new InFlightWindow<>(rows, row -> {
                if (row.isNullAt(column)) {
                    return CompletableFuture.completedFuture(append(row, null, null, null));
                }
                int[] ids = m.tokenizer().encode(row.getString(column));
                if (ids.length < 2 || ids.length > context) {
                    return CompletableFuture.completedFuture(append(row, ids.length, null, null));
                }
                CompletableFuture<Scorer.Score> score = m.engine().score(ids);
                return score.thenApply(s -> append(row, s.tokens(), s.loss(), s.perplexity()));
            }, window);
        }
    }
}
