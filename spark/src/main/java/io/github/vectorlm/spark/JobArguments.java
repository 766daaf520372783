package io.github.vectorlm.spark;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

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

    /** The value of {@code name} as a number ({@code Double.parseDouble}), or {@code fallback}. */
    double number(String name, double fallback) {
        String v = values.get(name);
        if (v == null) {
            return fallback;
        }
        try {
            double d = Double.parseDouble(v);
            if (Double.isFinite(d)) {
                return d;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new UsageException(name + " must be a number, not " + v);
    }

    /** The value of {@code name} as a whole number, or {@code fallback}. */
    long wholeNumber(String name, long fallback) {
        String v = values.get(name);
        if (v == null) {
            return fallback;
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new UsageException(name + " must be a whole number, not " + v);
        }
    }

    /** The positive integer value of {@code name}, or {@code fallback}. */
    int positiveInt(String name, int fallback) {
        String v = values.get(name);
        if (v == null) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(v);
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new UsageException(name + " must be a positive integer, not " + v);
    }
}
