package io.github.vectorlm.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.github.vectorlm.generation.GenerationOptions;
import io.github.vectorlm.generation.Generator;
import io.github.vectorlm.generation.LanguageModel;
import io.github.vectorlm.generation.LanguageModels;
import io.github.vectorlm.generation.SamplingOptions;
import io.github.vectorlm.generation.Scorer;
import io.github.vectorlm.generation.TokenListener;
import io.github.vectorlm.generation.Tokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The transformers in {@code local[2]}, against the single-process API on the same model (loaded
 * apart from the executors' copy): scores as {@link Scorer}, completions as {@link Generator},
 * ids as the tokenizer.
 */
class VectorLmTransformersTest {
    private static final String[] TEXTS = {"ROMEO:\nWhat light through yonder window breaks?",
        "First Citizen:\nWe are accounted poor citizens, the patricians good.", "O", null,
        "KING RICHARD II:\nNo matter where; of comfort no man speak:\nLet's talk of graves, of worms, and epitaphs;",
        "What say you, my lord?", "MENENIUS:\nEither you must confess yourselves wondrous malicious,"};
    private static final StructType SCHEMA = new StructType().add("id", DataTypes.IntegerType, false)
            .add("text", DataTypes.StringType, true);

    private static SparkSession spark;
    private static LanguageModel model;
    private static Tokenizer tokenizer;

    @BeforeAll
    static void start() throws Exception {
        spark = SparkTests.session("VectorLmTransformersTest");
        model = LanguageModels.load(Path.of(SparkTests.MODEL));
        tokenizer = model.tokenizer().orElseThrow();
    }

    @AfterAll
    static void stop() {
        spark.stop();
        model.close();
    }

    /** The texts in three partitions. */
    private static Dataset<Row> texts() {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < TEXTS.length; i++) {
            rows.add(RowFactory.create(i, TEXTS[i]));
        }
        return spark.createDataFrame(rows, SCHEMA).repartition(3);
    }

    @Test
    void scoresAreWhatTheScorerGivesEachTextAlone() {
        List<Row> out = new VectorLmScorer().setModelPath(SparkTests.MODEL).setMaxInFlight(2)
                .transform(texts()).orderBy("id").collectAsList();
        assertThat(out).hasSize(TEXTS.length);
        Scorer scorer = new Scorer(model);
        for (Row r : out) {
            String text = TEXTS[r.getInt(0)];
            assertThat(r.getString(1)).isEqualTo(text);
            assertThat(r.schema().fieldNames()).containsExactly("id", "text", "tokens", "loss", "perplexity");
            if (text == null) {
                assertThat(r.isNullAt(2)).isTrue();
                assertThat(r.isNullAt(3)).isTrue();
                continue;
            }
            int[] ids = tokenizer.encode(text);
            assertThat(r.getInt(2)).isEqualTo(ids.length);
            if (ids.length < 2) {
                assertThat(r.isNullAt(3)).as("a one-token text has no loss").isTrue();
                assertThat(r.isNullAt(4)).isTrue();
                continue;
            }
            Scorer.Score expected = scorer.score(text);
            assertThat(r.getDouble(3)).isCloseTo(expected.loss(), within(1e-6 * expected.loss()));
            assertThat(r.getDouble(4)).isCloseTo(expected.perplexity(), within(1e-6 * expected.perplexity()));
        }
    }

    @Test
    void greedyCompletionsAreTheGeneratorsAndSampledOnesFollowTheSeed() {
        Generator generator = new Generator(model);
        List<Row> greedy = new VectorLmGenerator().setModelPath(SparkTests.MODEL).setInputCol("text")
                .setMaxNewTokens(12).transform(texts()).orderBy("id").collectAsList();
        List<Row> sampled = new VectorLmGenerator().setModelPath(SparkTests.MODEL).setInputCol("text")
                .setOutputCol("sampled").setMaxNewTokens(12).setTemperature(0.9).setTopK(40).setTopP(0.95)
                .setSeed(7).transform(texts()).orderBy("id").collectAsList();
        for (int i = 0; i < TEXTS.length; i++) {
            String text = TEXTS[i];
            if (text == null) {
                assertThat(greedy.get(i).isNullAt(2)).isTrue();
                continue;
            }
            assertThat(greedy.get(i).getString(2)).as(text)
                    .isEqualTo(generator.generate(text, GenerationOptions.greedy(12), TokenListener.NONE).text())
                    .isNotEmpty();
            GenerationOptions options = GenerationOptions.of(12,
                    SamplingOptions.sample(0.9, 7).withTopK(40).withTopP(0.95));
            assertThat(sampled.get(i).getString(2)).as(text)
                    .isEqualTo(generator.generate(text, options, TokenListener.NONE).text());
        }
    }

    @Test
    void idsAreTheTokenizersAndStagesChainInAPipeline() {
        Pipeline pipeline = new Pipeline().setStages(new PipelineStage[] {
            new VectorLmTokenizer().setModelPath(SparkTests.MODEL + "/encoder.json"),
            new VectorLmScorer().setModelPath(SparkTests.MODEL)});
        List<Row> out = pipeline.fit(texts()).transform(texts()).orderBy("id").collectAsList();
        for (Row r : out) {
            String text = TEXTS[r.getInt(0)];
            if (text == null) {
                assertThat(r.isNullAt(2)).isTrue();
                continue;
            }
            List<Integer> ids = r.getList(2);
            assertThat(ids.stream().mapToInt(Integer::intValue).toArray()).isEqualTo(tokenizer.encode(text));
            assertThat(r.getInt(3)).isEqualTo(ids.size());
        }
    }

    @Test
    void badColumnsAndAMissingModelAreClearErrors() {
        VectorLmScorer scorer = new VectorLmScorer().setModelPath(SparkTests.MODEL);
        assertThatThrownBy(() -> scorer.setInputCol("body").transform(texts()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("VectorLmScorer: no column \"body\" in the input; it has [id, text]");
        assertThatThrownBy(() -> new VectorLmScorer().setModelPath(SparkTests.MODEL).setInputCol("id").transform(texts()))
                .hasMessage("VectorLmScorer: column \"id\" holds int, not string");
        assertThatThrownBy(() -> new VectorLmScorer().setModelPath(SparkTests.MODEL).setLossCol("id").transform(texts()))
                .hasMessageContaining("the output column \"id\" is already in the input");
        assertThatThrownBy(() -> new VectorLmGenerator().setInputCol("text").transform(texts()))
                .hasMessage("VectorLmGenerator: no model path set (setModelPath)");
        Dataset<Row> missing = new VectorLmScorer().setModelPath("/no/such/model").transform(texts());
        assertThatThrownBy(missing::collectAsList).satisfies(e -> assertThat(causes(e))
                .anyMatch(m -> m.contains("/no/such/model") && m.contains("no such model")));
        assertThatThrownBy(() -> new VectorLmGenerator().setTopP(0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void copiesKeepTheirParameters() {
        VectorLmGenerator g = new VectorLmGenerator().setModelPath("m").setMaxNewTokens(5).setSeed(3);
        VectorLmGenerator copy = (VectorLmGenerator) g.copy(new org.apache.spark.ml.param.ParamMap());
        assertThat(copy.uid()).isEqualTo(g.uid());
        assertThat(copy.generationOptions()).isEqualTo(g.generationOptions());
        assertThat(copy.getModelPath()).isEqualTo("m");
        assertThat(Arrays.stream(g.params()).map(p -> p.name())).contains("modelPath", "inputCol", "maxInFlight",
                "outputCol", "maxNewTokens", "temperature", "topK", "topP", "seed");
    }

    @Test
    void aPipelineOfTheStagesIsSavedAndLoadedWithItsParameters(@org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        Pipeline pipeline = new Pipeline().setStages(new PipelineStage[] {
            new VectorLmTokenizer().setModelPath(SparkTests.MODEL + "/encoder.json").setOutputCol("ids2"),
            new VectorLmGenerator().setModelPath(SparkTests.MODEL).setInputCol("text").setMaxNewTokens(5)
                    .setTemperature(0.7).setTopK(9).setTopP(0.5).setSeed(11).setMaxInFlight(4),
            new VectorLmScorer().setModelPath(SparkTests.MODEL).setLossCol("nats")});
        org.apache.spark.ml.PipelineModel fitted = pipeline.fit(texts());
        fitted.write().save(dir.resolve("pipeline").toString());
        org.apache.spark.ml.PipelineModel loaded = org.apache.spark.ml.PipelineModel.load(dir.resolve("pipeline").toString());
        VectorLmGenerator g = (VectorLmGenerator) loaded.stages()[1];
        VectorLmGenerator original = (VectorLmGenerator) fitted.stages()[1];
        assertThat(g.uid()).isEqualTo(original.uid());
        assertThat(g.generationOptions()).isEqualTo(original.generationOptions());
        assertThat(g.getMaxInFlight()).isEqualTo(4);
        assertThat(((VectorLmTokenizer) loaded.stages()[0]).getModelPath()).endsWith("encoder.json");
        assertThat(loaded.transform(texts()).schema().fieldNames())
                .containsExactly("id", "text", "ids2", "completion", "tokens", "nats", "perplexity");
        new VectorLmScorer().setModelPath("m").write().save(dir.resolve("scorer").toString());
        assertThat(VectorLmScorer.load(dir.resolve("scorer").toString()).getModelPath()).isEqualTo("m");
    }

    private static List<String> causes(Throwable e) {
        List<String> out = new ArrayList<>();
        for (Throwable t = e; t != null; t = t.getCause()) {
            out.add(String.valueOf(t.getMessage()));
        }
        return out;
    }
}
