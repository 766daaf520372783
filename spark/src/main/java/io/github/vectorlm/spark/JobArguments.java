package io.github.vectorlm.spark;

import java.io.IOException;
import java.io.PrintStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import org.apache.spark.sql.SparkSession;

/**
 * The command line of a spark-submit job: {@code --name value} options and {@code --flag}s, each
 * known to the job; anything else is a {@link UsageException} that names it.
 */
final class JobArguments {
    private final Map<String, String> values = new HashMap<>();
    private final boolean help;

    /** A wrong command line: the message says what, the job prints its usage after it. */
    static final class UsageException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    /** A job's work in a session, given its command line. */
    @FunctionalInterface
    interface Job {
        void run(SparkSession spark, String[] args) throws IOException;
    }

    /**
     * A job's {@code main} for {@code spark-submit}: {@code --help} or a wrong command line is
     * answered as {@link #usage} answers it, with its exit status; otherwise {@code job} runs in a
     * session named {@code appName}, stopped at the end.
     */
    static void main(String[] args, String usage, Function<String[], JobArguments> parse, String appName, Job job)
            throws IOException {
        Integer status = usage(args, usage, parse, System.out, System.err);
        if (status != null) {
            System.exit(status);
        }
        SparkSession spark = SparkSession.builder().appName(appName).getOrCreate();
        try {
            job.run(spark, args);
        } finally {
            spark.stop();
        }
    }

    /**
     * What a job does before it starts Spark: with {@code --help} prints {@code usage} to
     * {@code out} and returns 0; for a wrong command line (what {@code parse} throws: a
     * {@link UsageException} or a job's own {@code IllegalArgumentException}) prints the error and
     * the usage to {@code err} and returns 2; otherwise returns null, to run the job.
     */
    static Integer usage(String[] args, String usage, Function<String[], JobArguments> parse, PrintStream out,
            PrintStream err) {
        try {
            if (parse.apply(args).help()) {
                out.print(usage);
                return 0;
            }
            return null;
        } catch (IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            err.print(usage);
            return 2;
        }
    }

    /**
     * @param args the arguments
     * @param options the options that take a value
     * @param flags the options that take none
     * @throws UsageException for an unknown option, a missing value or an option given twice
     */
    JobArguments(String[] args, Set<String> options, Set<String> flags) {
        boolean h = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String value;
            if (a.equals("--help") || a.equals("-h")) {
                h = true;
                continue;
            }
            int eq = a.indexOf('=');
            String name = a.startsWith("--") && eq > 0 ? a.substring(0, eq) : a;
            if (flags.contains(name) && eq < 0) {
                value = "true";
            } else if (options.contains(name)) {
                if (eq > 0) {
                    value = a.substring(eq + 1);
                } else if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                    value = args[++i];
                } else {
                    throw new UsageException(name + " needs a value");
                }
            } else {
                throw new UsageException("unknown option " + a);
            }
            if (values.put(name, value) != null) {
                throw new UsageException(name + " is given twice");
            }
        }
        this.help = h;
    }

    /** Whether {@code --help} was given. */
    boolean help() {
        return help;
    }

    /** The value of {@code name}. @throws UsageException if it was not given */
    String required(String name) {
        String v = values.get(name);
        if (v == null || v.isBlank()) {
            throw new UsageException("missing " + name);
        }
        return v;
    }

    /** The value of {@code name}, or {@code fallback}. */
    String optional(String name, String fallback) {
        return values.getOrDefault(name, fallback);
    }

    /** Whether the flag {@code name} was given. */
    boolean flag(String name) {
        return values.containsKey(name);
    }

    /** The value of {@code name}, one of {@code allowed}, or {@code fallback}. */
    String oneOf(String name, List<String> allowed, String fallback) {
        String v = optional(name, fallback);
        if (!allowed.contains(v)) {
            throw new UsageException(name + " must be one of " + String.join(", ", allowed) + ", not " + v);
        }
        return v;
    }

    /** The value of {@code name} as a finite number ({@code Double.parseDouble}), or {@code fallback}. */
    double number(String name, double fallback) {
        return parsed(name, fallback, Double::parseDouble, Double::isFinite, "a number");
    }

    /** The value of {@code name} as a whole number, or {@code fallback}. */
    long wholeNumber(String name, long fallback) {
        return parsed(name, fallback, Long::parseLong, n -> true, "a whole number");
    }

    /** The positive integer value of {@code name}, or {@code fallback}. */
    int positiveInt(String name, int fallback) {
        return parsed(name, fallback, Integer::parseInt, n -> n >= 1, "a positive integer");
    }

    /**
     * The value of {@code name} as {@code parse} reads it, or {@code fallback} when not given.
     *
     * @throws UsageException "NAME must be WHAT, not VALUE" if it does not parse or is not {@code accepted}
     */
    private <T> T parsed(String name, T fallback, Function<String, T> parse, Predicate<T> accepted, String what) {
        String v = values.get(name);
        if (v == null) {
            return fallback;
        }
        try {
            T t = parse.apply(v);
            if (accepted.test(t)) {
                return t;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new UsageException(name + " must be " + what + ", not " + v);
    }
}
