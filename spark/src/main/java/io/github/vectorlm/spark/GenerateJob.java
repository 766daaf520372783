package io.github.vectorlm.spark;

import java.io.IOException;
import java.io.PrintStream;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Completes a dataset's prompts with a language model, for {@code spark-submit}: every input row
 * comes out with a {@code completion} column added ({@link VectorLmGenerator}: the generated text
 * without the prompt; temperature 0, the default, is greedy decoding). JSON lines or Parquet in,
 * the same format out (a folder of part files, as Spark writes).
 *
 * <pre>
 * spark-submit --class io.github.vectorlm.spark.GenerateJob vectorlm-spark-app.jar \
 *     --model /models/gpt2 --input prompts.jsonl --output completed --max-new-tokens 50
 * </pre>
 */
public final class GenerateJob {
    static final String USAGE = """
            Usage: spark-submit --class io.github.vectorlm.spark.GenerateJob JAR --model PATH --input PATH --output PATH
                                [--prompt-column prompt] [--format jsonl|parquet] [--max-new-tokens 64]
                                [--temperature 0] [--top-k 0] [--top-p 1] [--seed 0]
            Completes every row's prompt with the model: the rows come out with a completion column
            (the generated text, without the prompt) added; null for a null or empty prompt or one
            longer than the model's context. Every row is sampled with the same seed, so a retried
            task writes the same completions.
              --model PATH          the model folder or file, at this path on every executor
              --input PATH          JSON lines (a file, a folder or a glob) or Parquet
              --output PATH         the output folder (must not exist), in the input's format
              --prompt-column NAME  the column of prompts (default: prompt, as vectorlm generate --prompts-file)
              --format FORMAT       jsonl or parquet (default: jsonl)
              --max-new-tokens N    the most tokens generated per row (default: 64)
              --temperature T       0 for greedy decoding (default: 0)
              --top-k K             sample among the K likeliest tokens; 0: all (default: 0)
              --top-p P             sample from the smallest set of tokens holding probability P (default: 1)
              --seed S              the sampler's seed (default: 0)
              --max-in-flight N     rows of one task in the batching engine at once (default: 32)
              --help                this text
            """;

    private GenerateJob() {
    }

    /**
     * Runs the job in a session from {@code spark-submit}; exits with 2 on a wrong command line.
     *
     * @param args the command line
     */
    public static void main(String[] args) throws IOException {
        JobArguments.main(args, USAGE, GenerateJob::checkedArguments, "vectorlm generate", GenerateJob::run);
    }

    /** {@code --help} or a usage error: printed, with the exit status; null to run the job. */
    static Integer usage(String[] args, PrintStream out, PrintStream err) {
        return JobArguments.usage(args, USAGE, GenerateJob::checkedArguments, out, err);
    }

    /** The arguments, with the sampling options checked before Spark starts. */
    private static JobArguments checkedArguments(String[] args) {
        JobArguments a = arguments(args);
        if (!a.help()) {
            generator(a);
        }
        return a;
    }

    private static JobArguments arguments(String[] args) {
        JobArguments a = new JobArguments(args, Set.of("--model", "--input", "--output", "--prompt-column", "--format",
                "--max-new-tokens", "--temperature", "--top-k", "--top-p", "--seed", "--max-in-flight"), Set.of());
        if (!a.help()) {
            a.required("--model");
            a.required("--input");
            a.required("--output");
            a.oneOf("--format", List.of("jsonl", "parquet"), "jsonl");
            a.positiveInt("--max-in-flight", 32);
        }
        return a;
    }

    private static VectorLmGenerator generator(JobArguments a) {
        long topK = a.wholeNumber("--top-k", 0);
        if (topK < 0 || topK > Integer.MAX_VALUE) {
            throw new JobArguments.UsageException("--top-k must be 0 or more, not " + topK);
        }
        double temperature = a.number("--temperature", 0);
        if (temperature < 0) {
            throw new JobArguments.UsageException("--temperature must be 0 or more, not " + temperature);
        }
        double topP = a.number("--top-p", 1);
        if (!(topP > 0 && topP <= 1)) {
            throw new JobArguments.UsageException("--top-p must be in (0, 1], not " + topP);
        }
        return new VectorLmGenerator().setModelPath(a.required("--model"))
                .setInputCol(a.optional("--prompt-column", "prompt"))
                .setMaxInFlight(a.positiveInt("--max-in-flight", 32))
                .setMaxNewTokens(a.positiveInt("--max-new-tokens", 64))
                .setTemperature(temperature)
                .setTopK((int) topK)
                .setTopP(topP)
                .setSeed(a.wholeNumber("--seed", 0));
    }

    /**
     * Runs the job in {@code spark}.
     *
     * @param spark the session
     * @param args the command line
     * @throws IllegalArgumentException for a wrong command line or a missing prompt column
     */
    public static void run(SparkSession spark, String[] args) {
        JobArguments a = arguments(args);
        boolean parquet = a.oneOf("--format", List.of("jsonl", "parquet"), "jsonl").equals("parquet");
        Dataset<Row> input = parquet ? spark.read().parquet(a.required("--input"))
                : spark.read().json(a.required("--input"));
        Dataset<Row> completed = generator(a).transform(input);
        if (parquet) {
            completed.write().parquet(a.required("--output"));
        } else {
            completed.write().json(a.required("--output"));
        }
    }
}
