package io.github.vectorlm.testing;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A seeded mutation fuzzer for file readers. Each mutant is a valid seed file with one to three
 * mutations stacked — bit flips, a truncation, an inserted run (random bytes, a repeated byte, or a
 * chunk of the file duplicated), a deleted run, a boundary integer (0, ±1, 2<sup>7</sup>,
 * 2<sup>15</sup>, 2<sup>31</sup>, 2<sup>63</sup>, the file's size…) written over 1, 2, 4 or 8 bytes
 * in either byte order where a length field may lie, a chunk copied over another — written over
 * the seed's own path (so that files beside it, such as shards, stay), and handed to the reader.
 *
 * <p>The contract each mutant is held to: the reader returns, or throws one of the documented
 * exception types with a message naming the file; never another exception type, never an
 * {@link Error} (a {@code StackOverflowError}, an {@code OutOfMemoryError}); within
 * {@link #TIME_BOUND_MILLIS} per mutant; allocating at most {@link #ALLOCATION_BOUND} bytes plus
 * {@link #ALLOCATION_PER_FILE_BYTE} per byte of the mutant (the JDK's per-thread allocation
 * counter). A mutant that breaks it is saved under {@code target/fuzz-crashers/<format>/} and the
 * campaign fails naming it, its seed and its number: commit it as a regression fixture.
 *
 * <p>Campaign size: {@code -Dvectorlm.fuzz.mutants=N} mutants per seed (default
 * {@value #DEFAULT_MUTANTS}, a few seconds), {@code -Dvectorlm.fuzz.seed=S} to replay one run.
 * The {@code fuzz-long} Maven profile runs 100,000 per seed.
 */
public final class MutationFuzzer {
    /** Mutants per seed file unless {@code vectorlm.fuzz.mutants} says otherwise. */
    public static final int DEFAULT_MUTANTS = 2000;
    /** Longest a reader may take over one mutant (seeds are a few kB; real reads take milliseconds). */
    public static final long TIME_BOUND_MILLIS = 10_000;
    /** Bytes any one read may allocate whatever the file, on top of {@link #ALLOCATION_PER_FILE_BYTE} per byte. */
    public static final long ALLOCATION_BOUND = 256L << 20;
    /** Bytes a read may allocate per byte of the file (a pickle's objects take about 50 per opcode). */
    public static final long ALLOCATION_PER_FILE_BYTE = 64;

    private static final long[] BOUNDARY = {
        0, 1, -1, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffffL, 0x80000000L,
        0xffffffffL, 0x100000000L, Long.MAX_VALUE, Long.MIN_VALUE, 1L << 40, 1L << 62,
    };

    /** Reads a file the way a user would, completely: open, every tensor or token, close. */
    @FunctionalInterface
    public interface Reader {
        /** Reads {@code file}; may throw only the campaign's documented exception types. */
        void read(Path file) throws Exception;
    }

    /** What one campaign did: mutants run, outcomes by class, the longest read and the most allocated. */
    public record Report(String format, long seed, int mutants, Map<String, Integer> outcomes, long longestMillis,
            long mostAllocatedBytes, List<String> violations) {
        /** One line for logs and docs/security.md. */
        public String summary() {
            return String.format("%s: %d mutants (seed %d): %s; longest %d ms, most allocated %.1f MiB",
                    format, mutants, seed, outcomes, longestMillis, mostAllocatedBytes / 1048576.0);
        }
    }

    private final String format;
    private final List<Class<? extends Throwable>> documented;
    private final boolean messageNamesFolder;

    /**
     * @param format a short name for messages and the crashers' folder, e.g. {@code "torch-zip"}
     * @param messageNamesFolder accept a message naming any file of the mutant's folder (a shard
     *     index's errors may name the shard), not only the mutant itself
     * @param documented the exception types the reader documents
     */
    @SafeVarargs
    public MutationFuzzer(String format, boolean messageNamesFolder, Class<? extends Throwable>... documented) {
        this.format = format;
        this.documented = List.of(documented);
        this.messageNamesFolder = messageNamesFolder;
    }

    /** Mutants per seed: {@code vectorlm.fuzz.mutants}, else {@link #DEFAULT_MUTANTS}. */
    public static int mutantsPerSeed() {
        return Integer.getInteger("vectorlm.fuzz.mutants", DEFAULT_MUTANTS);
    }

    /** The campaign seed: {@code vectorlm.fuzz.seed}, else a fresh one (printed with the report). */
    public static long campaignSeed() {
        Long fixed = Long.getLong("vectorlm.fuzz.seed");
        return fixed != null ? fixed : new Random().nextLong();
    }

    /**
     * Runs {@code mutants} mutants of the file at {@code file} (its bytes now are the seed; they
     * are restored at the end) through {@code reader}.
     *
     * @return the report; {@link Report#violations()} lists every mutant that broke the contract
     */
    public Report run(Path file, Reader reader, int mutants, long seed) throws IOException {
        byte[] original = Files.readAllBytes(file);
        Random random = new Random(seed);
        Map<String, Integer> outcomes = new TreeMap<>();
        List<String> violations = new ArrayList<>();
        long longest = 0;
        long mostAllocated = 0;
        ExecutorService worker = newWorker();
        try {
            for (int i = 0; i < mutants; i++) {
                byte[] mutant = mutate(original, random);
                Files.write(file, mutant);
                long start = System.nanoTime();
                Future<long[]> result = worker.submit(() -> readMeasured(reader, file));
                String problem = null;
                String outcome;
                try {
                    long[] allocated = result.get(TIME_BOUND_MILLIS, TimeUnit.MILLISECONDS);
                    outcome = "ok";
                    mostAllocated = Math.max(mostAllocated, allocated[0]);
                    problem = allocationProblem(allocated[0], mutant.length);
                } catch (TimeoutException e) {
                    result.cancel(true);
                    outcome = "timeout";
                    problem = "no answer within " + TIME_BOUND_MILLIS + " ms";
                    worker.shutdownNow();
                    worker = newWorker(); // the stuck one is abandoned (a daemon)
                } catch (ExecutionException e) {
                    Throwable thrown = e.getCause() instanceof Thrown t ? t.getCause() : e.getCause();
                    long allocated = e.getCause() instanceof Thrown t ? t.allocated : 0;
                    mostAllocated = Math.max(mostAllocated, allocated);
                    outcome = thrown.getClass().getSimpleName();
                    problem = exceptionProblem(thrown, file);
                    if (problem == null) {
                        problem = allocationProblem(allocated, mutant.length);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted", e);
                }
                longest = Math.max(longest, (System.nanoTime() - start) / 1_000_000);
                outcomes.merge(outcome, 1, Integer::sum);
                if (problem != null) {
                    violations.add(format + " mutant " + i + " of seed " + seed + ": " + problem + "; saved as "
                            + saveCrasher(file, mutant, seed, i));
                }
            }
        } finally {
            worker.shutdownNow();
            Files.write(file, original);
        }
        return new Report(format, seed, mutants, outcomes, longest, mostAllocated, List.copyOf(violations));
    }

    private ExecutorService newWorker() {
        return Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "fuzz-" + format);
            t.setDaemon(true);
            return t;
        });
    }

    /** A read that threw, with what it allocated before it did. */
    private static final class Thrown extends Exception {
        private static final long serialVersionUID = 1L;
        final long allocated;

        Thrown(Throwable cause, long allocated) {
            super(cause);
            this.allocated = allocated;
        }
    }

    private static long[] readMeasured(Reader reader, Path file) throws Thrown {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        try {
            reader.read(file);
        } catch (Throwable t) {
            throw new Thrown(t, threads.getCurrentThreadAllocatedBytes() - before);
        }
        return new long[] {threads.getCurrentThreadAllocatedBytes() - before};
    }

    private static String allocationProblem(long allocated, long fileBytes) {
        long bound = ALLOCATION_BOUND + ALLOCATION_PER_FILE_BYTE * fileBytes;
        return allocated > bound ? "allocated " + allocated + " bytes, more than the bound of " + bound : null;
    }

    private String exceptionProblem(Throwable thrown, Path file) {
        if (documented.stream().noneMatch(type -> type.isInstance(thrown))) {
            return "threw " + stackOf(thrown);
        }
        String message = String.valueOf(thrown.getMessage());
        String expected = messageNamesFolder ? file.getParent().toString() : file.getFileName().toString();
        if (!message.contains(expected)) {
            return "threw " + thrown.getClass().getSimpleName() + " whose message does not name " + expected + ": "
                    + message;
        }
        return null;
    }

    private static String stackOf(Throwable t) {
        StringBuilder sb = new StringBuilder(t.toString());
        StackTraceElement[] frames = t.getStackTrace();
        for (int i = 0; i < Math.min(frames.length, 12); i++) {
            sb.append("\n\tat ").append(frames[i]);
        }
        return sb.toString();
    }

    private Path saveCrasher(Path file, byte[] mutant, long seed, int index) throws IOException {
        Path dir = Path.of("target", "fuzz-crashers", format);
        Files.createDirectories(dir);
        Path saved = dir.resolve(seed + "-" + index + "-" + file.getFileName());
        Files.write(saved, mutant);
        return saved.toAbsolutePath();
    }

    // ------------------------------------------------------------------ mutations

    /** One to three mutations of {@code seed}, stacked. */
    public static byte[] mutate(byte[] seed, Random random) {
        byte[] b = seed;
        int count = 1 + random.nextInt(3);
        for (int k = 0; k < count; k++) {
            b = mutateOnce(b, random);
        }
        return b;
    }

    private static byte[] mutateOnce(byte[] b, Random random) {
        if (b.length == 0) {
            return new byte[] {(byte) random.nextInt(256)};
        }
        switch (random.nextInt(7)) {
            case 0 -> { // bit flips
                byte[] out = b.clone();
                for (int flips = 1 + random.nextInt(4); flips > 0; flips--) {
                    out[random.nextInt(out.length)] ^= (byte) (1 << random.nextInt(8));
                }
                return out;
            }
            case 1 -> { // truncation
                return Arrays.copyOf(b, random.nextInt(b.length));
            }
            case 2 -> { // inserted run: random bytes, one byte repeated, or a chunk of the file
                int at = random.nextInt(b.length + 1);
                byte[] run = switch (random.nextInt(3)) {
                    case 0 -> randomBytes(random, 1 + random.nextInt(64));
                    case 1 -> {
                        byte[] r = new byte[1 + random.nextInt(256)];
                        Arrays.fill(r, (byte) random.nextInt(256));
                        yield r;
                    }
                    default -> chunk(b, random);
                };
                return splice(b, at, 0, run);
            }
            case 3 -> { // deleted run
                int at = random.nextInt(b.length);
                int n = 1 + random.nextInt(Math.min(64, b.length - at));
                return splice(b, at, n, new byte[0]);
            }
            case 4 -> { // a boundary integer where a length or offset may lie
                int width = new int[] {1, 2, 4, 8}[random.nextInt(4)];
                long value = random.nextInt(4) == 0 ? b.length + random.nextInt(3) - 1 : BOUNDARY[random.nextInt(BOUNDARY.length)];
                ByteBuffer buffer = ByteBuffer.allocate(8)
                        .order(random.nextBoolean() ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN).putLong(value);
                byte[] bytes = buffer.order() == ByteOrder.LITTLE_ENDIAN ? Arrays.copyOf(buffer.array(), width)
                        : Arrays.copyOfRange(buffer.array(), 8 - width, 8);
                int at = random.nextInt(b.length);
                byte[] out = b.clone();
                System.arraycopy(bytes, 0, out, at, Math.min(width, out.length - at));
                return out;
            }
            case 5 -> { // a chunk duplicated in place (inserted right after itself)
                int at = random.nextInt(b.length);
                int n = 1 + random.nextInt(Math.min(256, b.length - at));
                return splice(b, at + n, 0, Arrays.copyOfRange(b, at, at + n));
            }
            default -> { // a chunk copied over another place
                byte[] c = chunk(b, random);
                int at = random.nextInt(b.length);
                byte[] out = b.clone();
                System.arraycopy(c, 0, out, at, Math.min(c.length, out.length - at));
                return out;
            }
        }
    }

    private static byte[] randomBytes(Random random, int n) {
        byte[] r = new byte[n];
        random.nextBytes(r);
        return r;
    }

    private static byte[] chunk(byte[] b, Random random) {
        int at = random.nextInt(b.length);
        return Arrays.copyOfRange(b, at, at + 1 + random.nextInt(Math.min(256, b.length - at)));
    }

    private static byte[] splice(byte[] b, int at, int remove, byte[] insert) {
        byte[] out = new byte[b.length - remove + insert.length];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(insert, 0, out, at, insert.length);
        System.arraycopy(b, at + remove, out, at + insert.length, b.length - at - remove);
        return out;
    }
}
