package io.github.vectorlm.gpt2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.vectorlm.generation.GenerationOptions;
import io.github.vectorlm.generation.Generator;
import io.github.vectorlm.generation.LanguageModel;
import io.github.vectorlm.generation.LanguageModels;
import io.github.vectorlm.generation.LoadOptions;
import io.github.vectorlm.generation.SamplingOptions;
import io.github.vectorlm.generation.Session;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One model shared by 8 threads, each with sessions of its own, running forward passes and
 * sampled generations of different lengths: every result is bit-identical to the single-threaded
 * run of the same job. Meanwhile two more threads load, run and close models of their own from the
 * same files. No deadlock (the run has a deadline, and a thread dump if it misses it), no leak
 * (no descriptor or mapping of the model's files is left once every model is closed), and a
 * closed model refuses to run.
 *
 * <p>{@code -Dvectorlm.soak.calls=N} sets the jobs the 8 threads run together (default 3,000; the
 * {@code fuzz-long} profile runs 30,000). gpt2-model's build runs this class twice: under the
 * JDK's default collector and under the serial collector the {@code ./vectorlm} launcher uses.
 */
class ConcurrencySoakTest {
    private static final Path FIXTURE = Path.of("src/test/resources/hf/f16");
    private static final int THREADS = 8;
    private static final int JOBS = 48;

    @TempDir
    Path dir;

    /** A job: a prompt, then either its logits (forward) or a sampled continuation (generate). */
    record Job(int[] prompt, int newTokens, long samplingSeed) {
    }

    /** What a job produced: the prompt's last logits, and the generated ids with each step's logits. */
    record Result(float[] logits, int[] generated) {
        boolean sameAs(Result o) {
            return Arrays.equals(toBits(logits), toBits(o.logits)) && Arrays.equals(generated, o.generated);
        }

        private static int[] toBits(float[] v) {
            int[] bits = new int[v.length];
            for (int i = 0; i < v.length; i++) {
                bits[i] = Float.floatToRawIntBits(v[i]);
            }
            return bits;
        }
    }

    private static List<Job> jobs(LanguageModel model) {
        Random r = new Random(20261207);
        List<Job> jobs = new ArrayList<>();
        for (int i = 0; i < JOBS; i++) {
            int length = 1 + r.nextInt(model.contextLength() - 9);
            int[] prompt = r.ints(length, 0, model.vocabSize()).toArray();
            jobs.add(new Job(prompt, r.nextInt(9), r.nextLong()));
        }
        return jobs;
    }

    /** Runs a job in {@code session} (reset first): a forward pass of the prompt, then the generation. */
    private static Result run(LanguageModel model, Session session, Generator generator, Job job) {
        session.reset();
        float[] logits = new float[model.vocabSize()];
        model.forward(session, job.prompt(), 0, job.prompt().length, logits);
        int[] generated = job.newTokens() == 0 ? new int[0]
                : generator.generate(job.prompt(), GenerationOptions.of(job.newTokens(),
                        SamplingOptions.sample(0.9, job.samplingSeed()).withTopK(20)), (id, text) -> { }).ids();
        return new Result(logits, generated);
    }

    private Path modelFolder() throws IOException {
        Path folder = dir.resolve("model");
        Files.createDirectories(folder);
        try (Stream<Path> files = Files.list(FIXTURE)) {
            for (Path f : files.toList()) {
                Files.copy(f, folder.resolve(f.getFileName()));
            }
        }
        return folder.toRealPath();
    }

    @Test
    void eightThreadsOnOneModelGetTheSingleThreadedResultsWhileOthersOpenAndClose() throws Exception {
        Path folder = modelFolder();
        int calls = Integer.getInteger("vectorlm.soak.calls", 3000);
        LanguageModel shared = LanguageModels.load(folder);
        List<Job> jobs = jobs(shared);
        List<Result> expected = new ArrayList<>();
        Session single = shared.newSession();
        Generator singleGenerator = new Generator(shared, null);
        for (Job job : jobs) {
            expected.add(run(shared, single, singleGenerator, job));
        }

        AtomicInteger next = new AtomicInteger();
        AtomicInteger churned = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(THREADS + 2);
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            int thread = t;
            futures.add(pool.submit(() -> {
                Random r = new Random(thread);
                // sessions of the thread's own: a full one, a short one, made anew now and then
                Session[] sessions = {shared.newSession(), shared.newSession(shared.contextLength())};
                Generator generator = new Generator(shared, null);
                for (int call = next.getAndIncrement(); call < calls; call = next.getAndIncrement()) {
                    int j = r.nextInt(jobs.size());
                    if (call % 97 == 0) {
                        sessions[call % 2] = shared.newSession();
                    }
                    Result got = run(shared, sessions[call % 2], generator, jobs.get(j));
                    if (!got.sameAs(expected.get(j))) {
                        throw new AssertionError("thread " + thread + ", call " + call + ", job " + j
                                + ": differs from the single-threaded run");
                    }
                }
                return null;
            }));
        }
        for (int t = 0; t < 2; t++) {
            futures.add(pool.submit(() -> {
                while (next.get() < calls) {
                    try (LanguageModel own = LanguageModels.load(folder, LoadOptions.defaults())) {
                        int j = churned.getAndIncrement() % jobs.size();
                        Result got = run(own, own.newSession(), new Generator(own, null), jobs.get(j));
                        if (!got.sameAs(expected.get(j))) {
                            throw new AssertionError("a model loaded beside the shared one differs");
                        }
                    }
                }
                return null;
            }));
        }
        pool.shutdown();
        if (!pool.awaitTermination(Math.max(120, calls / 10), TimeUnit.SECONDS)) {
            StringBuilder dump = new StringBuilder();
            for (ThreadInfo info : ManagementFactory.getThreadMXBean().dumpAllThreads(true, true)) {
                dump.append(info);
            }
            pool.shutdownNow();
            throw new AssertionError("the soak did not finish in time (deadlock?):\n" + dump);
        }
        for (Future<?> f : futures) {
            f.get();
        }
        assertThat(churned.get()).as("models opened and closed beside the shared one").isPositive();

        shared.close();
        shared.close(); // harmless
        assertThatThrownBy(() -> shared.forward(single, new int[] {1}, 0, 1, new float[shared.vocabSize()]))
                .isExactlyInstanceOf(IllegalStateException.class)
                .hasMessageContaining("the model is closed");
        assertThatThrownBy(shared::newSession).isExactlyInstanceOf(IllegalStateException.class);
        assertThat(handlesOf(folder)).as("descriptors and mappings of the model's files").isZero();
    }

    /** Descriptors and mappings of this process that refer to a file in {@code folder} (Linux; 0 elsewhere). */
    static long handlesOf(Path folder) throws IOException {
        if (!Files.isDirectory(Path.of("/proc/self/fd"))) {
            return 0;
        }
        long count = Files.readAllLines(Path.of("/proc/self/maps")).stream().filter(l -> l.contains(folder.toString())).count();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    if (Files.readSymbolicLink(fd).toString().startsWith(folder.toString())) {
                        count++;
                    }
                } catch (IOException e) {
                    // the listing's own descriptor, closed by now
                }
            }
        }
        return count;
    }
}
