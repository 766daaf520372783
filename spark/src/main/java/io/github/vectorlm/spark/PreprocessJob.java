package io.github.vectorlm.spark;

import io.github.vectorlm.corpus.CorpusLineException;
import io.github.vectorlm.corpus.IndexedDatasets;
import io.github.vectorlm.corpus.PreprocessOptions;
import io.github.vectorlm.corpus.Preprocessor;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.io.LongWritable;
import org.apache.hadoop.io.Text;
import org.apache.hadoop.mapred.FileSplit;
import org.apache.hadoop.mapred.InputSplit;
import org.apache.hadoop.mapred.TextInputFormat;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaHadoopRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.sql.SparkSession;
import scala.Tuple2;

/**
 * Tokenizes JSON-lines corpora into a Megatron-LM / GPT-NeoX indexed dataset on a Spark cluster,
 * for {@code spark-submit}: each partition (a split of the input, in input order) becomes one
 * dataset, written by the corpus module's {@link Preprocessor} exactly as {@code vectorlm
 * preprocess} writes, and the driver then merges them in partition order with
 * {@link IndexedDatasets#merge}. The result is byte for byte what {@code vectorlm preprocess}
 * writes for the same inputs in the same order.
 *
 * <p>Plain inputs are read through Hadoop's {@code TextInputFormat}, cut only at {@code \n} into
 * splits (as is {@code .bz2}, which Hadoop decompresses). Compressed inputs that the corpus module
 * reads ({@code gzip}, {@code xz}, {@code zstd}, recognised by their first bytes as
 * {@code vectorlm preprocess} recognises them) are not splittable: each is one partition, read
 * whole by {@link Preprocessor} on the executor (a file outside the local file system is copied
 * to the executor's temporary folder first). {@code --skip-bad-lines} counts and skips bad lines
 * as the command line does; without it the first bad line fails the job, named. The output
 * prefix must be a local path that the driver and every executor see (a shared mount on a cluster):
 * the partitions' datasets are written to {@code PREFIX_parts/} beside it and removed after the
 * merge.
 */
public final class PreprocessJob {
    static final String USAGE = """
            Usage: spark-submit --class io.github.vectorlm.spark.PreprocessJob JAR --input PATH[,PATH...]
                                --tokenizer FILE --output-prefix PREFIX [--append-eod] [--json-keys text]
                                [--partitions N] [--skip-bad-lines]
            Tokenizes JSON lines (one document per line) into GPT-NeoX's indexed dataset
            PREFIX_KEY_document.bin/.idx, byte for byte what `vectorlm preprocess` writes.
              --input PATH,...      JSON-lines files or folders (a folder's files in name order),
                                    plain, .bz2, or gzip / xz / zstd (by their bytes; one partition
                                    per such file), read in the order given
              --tokenizer FILE      tokenizer.json, or encoder.json with vocab.bpe beside it, on every executor
              --output-prefix PREFIX  where the datasets go: a path the driver and every executor see
              --append-eod          end each document with the tokenizer's end-of-text id
              --json-keys K,...     the JSON keys whose texts are tokenized, one dataset each (default: text)
              --partitions N        at least this many partitions of the plain files (default: Spark's split)
              --skip-bad-lines      count and skip lines that are not JSON objects with the keys as
                                    strings in UTF-8 (default: stop at the first)
              --help                this text
            """;

    private PreprocessJob() {
    }

    /**
     * Runs the job in a session from {@code spark-submit}; exits with 2 on a wrong command line.
     *
     * @param args the command line
     */
    public static void main(String[] args) throws IOException {
        JobArguments.main(args, USAGE, PreprocessJob::arguments, "vectorlm preprocess", (spark, a) -> {
            Result r = run(spark, a);
            for (Path p : r.datasets()) {
                System.out.println("wrote " + p + ".bin/.idx from " + r.partitions() + " partitions");
            }
            if (r.badLines() > 0) {
                System.out.println("skipped " + r.badLines() + " bad line" + (r.badLines() == 1 ? "" : "s"));
            }
        });
    }

    /** {@code --help} or a usage error: printed, with the exit status; null to run the job. */
    static Integer usage(String[] args, PrintStream out, PrintStream err) {
        return JobArguments.usage(args, USAGE, PreprocessJob::arguments, out, err);
    }

    private static JobArguments arguments(String[] args) {
        JobArguments a = new JobArguments(args,
                Set.of("--input", "--tokenizer", "--output-prefix", "--json-keys", "--partitions"),
                Set.of("--append-eod", "--skip-bad-lines"));
        if (!a.help()) {
            a.required("--input");
            a.required("--tokenizer");
            a.required("--output-prefix");
            a.positiveInt("--partitions", 1);
        }
        return a;
    }

    /**
     * What a run wrote.
     *
     * @param datasets the merged datasets' prefixes, one per JSON key, in the keys' order
     * @param partitions how many partitions (and so partial datasets) the input was cut into
     * @param badLines how many bad lines were skipped ({@code --skip-bad-lines})
     */
    public record Result(List<Path> datasets, int partitions, long badLines) {
    }

    /**
     * Runs the job in {@code spark}.
     *
     * @param spark the session
     * @param args the command line
     * @return the merged datasets and the number of partitions
     * @throws IllegalArgumentException for a wrong command line
     * @throws IOException if an input is missing or a dataset cannot be written or merged
     */
    public static Result run(SparkSession spark, String[] args) throws IOException {
        JobArguments a = arguments(args);
        List<String> keys = Arrays.stream(a.optional("--json-keys", "text").split(",")).map(String::trim).toList();
        PreprocessOptions options = new PreprocessOptions(keys, a.flag("--append-eod"), 1, a.flag("--skip-bad-lines"));
        String tokenizer = a.required("--tokenizer");
        ExecutorModels.tokenizer(tokenizer); // fail early, on the driver, for a missing or bad file
        Path prefix = Path.of(a.required("--output-prefix")).toAbsolutePath().normalize();
        if (!Files.isDirectory(prefix.getParent())) {
            throw new IOException(prefix + ": the output folder " + prefix.getParent() + " does not exist");
        }
        Path parts = prefix.resolveSibling(prefix.getFileName() + "_parts");
        deleteTree(parts);
        Files.createDirectories(parts);
        try {
            JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            Configuration conf = new Configuration(sc.hadoopConfiguration());
            conf.set("textinputformat.record.delimiter", "\n"); // as Preprocessor cuts lines: \r stays, \r\n is stripped
            List<String> files = inputFiles(a.required("--input"), conf);
            int minPartitions = a.positiveInt("--partitions", 1);
            String[] keyArray = keys.toArray(String[]::new);
            // runs of consecutive files read the same way, each an RDD; their union keeps input order
            List<JavaRDD<long[]>> runs = new ArrayList<>();
            for (int i = 0; i < files.size(); ) {
                boolean whole = readWhole(files.get(i), conf);
                int j = i + 1;
                while (j < files.size() && readWhole(files.get(j), conf) == whole) {
                    j++;
                }
                List<String> run = files.subList(i, j);
                if (whole) {
                    runs.add(sc.parallelize(run, run.size()).mapPartitions(new WholeFilesToDataset(tokenizer, keyArray,
                            options.appendEndOfText(), options.skipBadLines(), parts.toString())));
                } else {
                    org.apache.hadoop.mapred.JobConf job = new org.apache.hadoop.mapred.JobConf(conf);
                    org.apache.hadoop.mapred.FileInputFormat.setInputPaths(job, String.join(",", run));
                    @SuppressWarnings("unchecked")
                    JavaHadoopRDD<LongWritable, Text> lines = (JavaHadoopRDD<LongWritable, Text>) sc.hadoopRDD(job,
                            TextInputFormat.class, LongWritable.class, Text.class, minPartitions);
                    runs.add(lines.mapPartitionsWithInputSplit(new PartitionToDataset(tokenizer, keyArray,
                            options.appendEndOfText(), options.skipBadLines(), parts.toString()), true));
                }
                i = j;
            }
            @SuppressWarnings("unchecked")
            JavaRDD<long[]> all = runs.size() == 1 ? runs.get(0) : sc.union(runs.toArray(JavaRDD[]::new));
            List<long[]> outcomes = all.collect();
            List<Integer> written = new ArrayList<>();
            long badLines = 0;
            for (long[] o : outcomes) {
                written.add((int) o[0]);
                badLines += o[1];
            }
            List<Path> merged = new ArrayList<>();
            for (String key : keys) {
                List<Path> inputs = new ArrayList<>();
                for (int partition : written) {
                    inputs.add(parts.resolve(partPrefix(partition) + "_" + key + "_document"));
                }
                Path out = prefix.resolveSibling(prefix.getFileName() + "_" + key + "_document");
                IndexedDatasets.merge(inputs, out);
                merged.add(out);
            }
            return new Result(List.copyOf(merged), written.size(), badLines);
        } finally {
            deleteTree(parts);
        }
    }

    private static String partPrefix(int partition) {
        return String.format("part-%05d", partition);
    }

    /**
     * Whether a file is compressed as the corpus module reads it (gzip, xz, zstd, by its first
     * bytes, as {@code vectorlm preprocess} decides): such a file is read whole, one partition.
     */
    static boolean readWhole(String file, Configuration conf) throws IOException {
        org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(file);
        byte[] head = new byte[6];
        int n = 0;
        try (java.io.InputStream in = p.getFileSystem(conf).open(p)) {
            for (int r; n < head.length && (r = in.read(head, n, head.length - n)) > 0; ) {
                n += r;
            }
        }
        boolean gzip = n >= 2 && (head[0] & 0xFF) == 0x1F && (head[1] & 0xFF) == 0x8B;
        boolean xz = n >= 6 && (head[0] & 0xFF) == 0xFD && head[1] == '7' && head[2] == 'z' && head[3] == 'X'
                && head[4] == 'Z' && head[5] == 0;
        boolean zstd = n >= 4 && (head[0] & 0xFF) == 0x28 && (head[1] & 0xFF) == 0xB5 && (head[2] & 0xFF) == 0x2F
                && (head[3] & 0xFF) == 0xFD;
        return gzip || xz || zstd;
    }

    /** The input files in order: each path as given, a folder's files in name order. */
    private static List<String> inputFiles(String inputs, Configuration conf) throws IOException {
        List<String> files = new ArrayList<>();
        for (String input : inputs.split(",")) {
            org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(input.trim());
            FileSystem fs = p.getFileSystem(conf);
            if (!fs.exists(p)) {
                throw new java.nio.file.NoSuchFileException(input.trim(), null, "no such input");
            }
            if (fs.getFileStatus(p).isDirectory()) {
                FileStatus[] listed = fs.listStatus(p, f -> !f.getName().startsWith(".") && !f.getName().startsWith("_"));
                Arrays.sort(listed, Comparator.comparing(f -> f.getPath().getName()));
                for (FileStatus f : listed) {
                    if (f.isFile()) {
                        files.add(f.getPath().toString());
                    }
                }
            } else {
                files.add(fs.makeQualified(p).toString());
            }
        }
        if (files.isEmpty()) {
            throw new IOException("no input files in " + inputs);
        }
        return files;
    }

    /** Runs on the executors: a partition's lines, as read, into one dataset; returns the partition's number. */
    private record PartitionToDataset(String tokenizer, String[] keys, boolean appendEod, boolean skipBadLines,
            String parts) implements Function2<InputSplit, Iterator<Tuple2<LongWritable, Text>>, Iterator<long[]>> {
        @Override
        public Iterator<long[]> call(InputSplit split, Iterator<Tuple2<LongWritable, Text>> lines) throws IOException {
            PreprocessOptions options = new PreprocessOptions(List.of(keys), appendEod, 1, skipBadLines);
            int partition = TaskContext.getPartitionId();
            Path folder = Files.createTempDirectory("vectorlm-preprocess-");
            Path text = folder.resolve(partPrefix(partition) + ".jsonl");
            try {
                try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(text), 1 << 20)) {
                    while (lines.hasNext()) {
                        Text line = lines.next()._2();
                        out.write(line.getBytes(), 0, line.getLength());
                        out.write('\n');
                    }
                }
                Preprocessor p = new Preprocessor(ExecutorModels.tokenizer(tokenizer), options);
                try {
                    Preprocessor.Result r = p.run(List.of(text), Path.of(parts, partPrefix(partition)),
                            Preprocessor.ProgressCallback.NONE);
                    return List.of(new long[] {partition, r.progress().badLines()}).iterator();
                } catch (CorpusLineException e) {
                    // the line number counts from the split's start, not the file's
                    String problem = e.getMessage().substring(e.getMessage().indexOf(": ", text.toString().length()) + 2);
                    throw new IOException(where(split) + ", line " + e.line() + " of the split: " + problem, e);
                }
            } finally {
                Files.deleteIfExists(text);
                Files.deleteIfExists(folder);
            }
        }

        private static String where(InputSplit split) {
            return split instanceof FileSplit f ? f.getPath() + " from byte " + f.getStart() : split.toString();
        }
    }

    /**
     * Runs on the executors: a partition of whole compressed files (one, as the job makes them)
     * into one dataset, read by the corpus module; returns the partition's number and bad lines.
     */
    private record WholeFilesToDataset(String tokenizer, String[] keys, boolean appendEod, boolean skipBadLines,
            String parts) implements FlatMapFunction<Iterator<String>, long[]> {
        @Override
        public Iterator<long[]> call(Iterator<String> files) throws IOException {
            PreprocessOptions options = new PreprocessOptions(List.of(keys), appendEod, 1, skipBadLines);
            int partition = TaskContext.getPartitionId();
            Path folder = Files.createTempDirectory("vectorlm-preprocess-");
            List<Path> local = new ArrayList<>();
            List<String> names = new ArrayList<>();
            try {
                while (files.hasNext()) {
                    String file = files.next();
                    org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(file);
                    if ("file".equals(p.toUri().getScheme())) {
                        local.add(Path.of(p.toUri()));
                    } else { // copied as stored (compressed), with the executor's Hadoop configuration
                        Path copy = folder.resolve(local.size() + "-" + p.getName());
                        p.getFileSystem(new Configuration()).copyToLocalFile(false, p,
                                new org.apache.hadoop.fs.Path(copy.toUri()), true);
                        local.add(copy);
                    }
                    names.add(file);
                }
                Preprocessor p = new Preprocessor(ExecutorModels.tokenizer(tokenizer), options);
                try {
                    Preprocessor.Result r = p.run(local, Path.of(parts, partPrefix(partition)),
                            Preprocessor.ProgressCallback.NONE);
                    return List.of(new long[] {partition, r.progress().badLines()}).iterator();
                } catch (CorpusLineException e) {
                    String file = names.get(local.indexOf(e.file()));
                    String problem = e.getMessage().substring(e.getMessage().indexOf(": ", e.file().toString().length()) + 2);
                    throw new IOException(file + ", line " + e.line() + ": " + problem, e);
                }
            } finally {
                deleteTree(folder);
            }
        }
    }

    private static void deleteTree(Path folder) throws IOException {
        if (!Files.exists(folder)) {
            return;
        }
        try (Stream<Path> s = Files.walk(folder)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
