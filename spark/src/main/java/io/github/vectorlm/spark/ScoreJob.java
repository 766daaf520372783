package io.github.vectorlm.spark;

import java.io.IOException;
import java.io.PrintStream;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Scores a dataset's texts with a language model, for {@code spark-submit}: every input row comes
 * out with {@code tokens}, {@code loss} and {@code perplexity} added ({@link VectorLmScorer}). JSON
 * lines or Parquet in, the same format out (a folder of part files, as Spark writes).
 *
 * <pre>
 * spark-submit --class io.github.vectorlm.spark.ScoreJob vectorlm-spark-app.jar \
 *     --model /models/gpt2 --input texts.jsonl --output scored [--text-column text] [--format jsonl|parquet]
 * </pre>
 */
public final class ScoreJob {
    static final String USAGE = """
            Usage: spark-submit --class io.github.vectorlm.spark.ScoreJob JAR --model PATH --input PATH --output PATH
                                [--text-column text] [--format jsonl|parquet]
            Scores every row's text with the model: the rows come out with tokens, loss (mean
            cross-entropy, nats per token) and perplexity added; loss and perplexity are null for a
            text of fewer than 2 tokens or longer than the model's context.
              --model PATH          the model folder or file, at this path on every executor
              --input PATH          JSON lines (a file, a folder or a glob) or Parquet
              --output PATH         the output folder (must not exist), in the input's format
              --text-column NAME    the column of texts (default: text)
              --format FORMAT       jsonl or parquet (default: jsonl)
              --max-in-flight N     rows of one task in the batching engine at once (default: 32)
              --help                this text
            """;

    private ScoreJob() {
    }

    /**
     * Runs the job in a session from {@code spark-submit}; exits with 2 on a wrong command line.
     *
     * @param args the command line
     */
    public static void main(String[] args) throws IOException {
        JobArguments.main(args, USAGE, ScoreJob::arguments, "vectorlm score", ScoreJob::run);
    }

    /** {@code --help} or a usage error: printed, with the exit status; null to run the job. */
    static Integer usage(String[] args, PrintStream out, PrintStream err) {
        return JobArguments.usage(args, USAGE, ScoreJob::arguments, out, err);
    }

    private static JobArguments arguments(String[] args) {
        JobArguments a = new JobArguments(args,
                Set.of("--model", "--input", "--output", "--text-column", "--format", "--max-in-flight"), Set.of());
        if (!a.help()) {
            a.required("--model");
            a.required("--input");
            a.required("--output");
            a.oneOf("--format", List.of("jsonl", "parquet"), "jsonl");
            a.positiveInt("--max-in-flight", 32);
        }
        return a;
    }

    /**
     * Runs the job in {@code spark}.
     *
     * @param spark the session
     * @param args the command line
     * @throws IllegalArgumentException for a wrong command line or a missing text column
     */
    public static void run(SparkSession spark, String[] args) {
        JobArguments a = arguments(args);
        boolean parquet = a.oneOf("--format", List.of("jsonl", "parquet"), "jsonl").equals("parquet");
        Dataset<Row> input = parquet ? spark.read().parquet(a.required("--input"))
                : spark.read().json(a.required("--input"));
        Dataset<Row> scored = new VectorLmScorer().setModelPath(a.required("--model"))
                .setInputCol(a.optional("--text-column", "text"))
                .setMaxInFlight(a.positiveInt("--max-in-flight", 32))
                .transform(input);
        if (parquet) {
            scored.write().parquet(a.required("--output"));
        } else {
            scored.write().json(a.required("--output"));
        }
    }
}
