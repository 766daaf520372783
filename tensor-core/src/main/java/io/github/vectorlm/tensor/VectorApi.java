package io.github.vectorlm.tensor;

/**
 * Whether the JDK's Vector API ({@code jdk.incubator.vector}), which every kernel runs on, is in
 * this JVM. On the module path it always is ({@code io.github.vectorlm.tensor} requires it). On the
 * class path it is only when the JVM was started with {@code --add-modules jdk.incubator.vector};
 * without it the first kernel would fail with a bare {@code NoClassDefFoundError}, so model loading
 * calls {@link #requireAvailable()} first and fails with a message that names the flag.
 *
 * <pre>{@code
 * java --add-modules jdk.incubator.vector -cp app.jar:lib/* my.app.Main
 * }</pre>
 */
public final class VectorApi {
    /** The incubator module the kernels use. */
    public static final String MODULE = "jdk.incubator.vector";

    /** What to add to the {@code java} command line. */
    public static final String FLAG = "--add-modules " + MODULE;

    private static final boolean AVAILABLE = probe();

    private VectorApi() {
    }

    /** Whether the Vector API's classes can be loaded here. */
    public static boolean isAvailable() {
        return AVAILABLE;
    }

    /**
     * Returns if the Vector API is available.
     *
     * @throws IllegalStateException if it is not, with a message saying which JVM flag to add
     */
    public static void requireAvailable() {
        if (!AVAILABLE) {
            throw new IllegalStateException(missingMessage());
        }
    }

    /** The message {@link #requireAvailable()} fails with. */
    static String missingMessage() {
        return "the JDK Vector API (module " + MODULE + ") is not in this JVM: VectorLM's kernels need it. "
                + "On the class path, start java with " + FLAG + " (Maven: in surefire's and exec's argLine; "
                + "Gradle: jvmArgs); on the module path, 'requires io.github.vectorlm.tensor' brings it in.";
    }

    private static boolean probe() {
        if (VectorApi.class.getModule().isNamed()) {
            return true; // a named io.github.vectorlm.tensor requires the module: it was resolved, or nothing started
        }
        try {
            Class.forName("jdk.incubator.vector.FloatVector", false, ClassLoader.getPlatformClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }
}
