package io.github.vectorlm.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingStream;

/**
 * "No allocation in the token loop", checked: JFR samples allocations with their stacks while
 * warmed-up work runs; a sample whose first frame outside the JDK is in one of the given packages
 * fails the check. What other code allocates (the Vector API may box vectors where it is not
 * intrinsified) is printed as bytes per unit, not judged. A deliberate allocation made here
 * afterwards proves that the sampler was listening.
 */
public final class AllocationProbe {
    private static volatile Object sink;

    private AllocationProbe() {
    }

    /**
     * Runs {@code work} {@code rounds} times under the sampler and asserts that no sampled
     * allocation came from {@code packages}; {@code work} should have run before, to warm the JIT up.
     *
     * @param what a name for the printed figures
     * @param packages package prefixes whose code must not allocate, e.g. {@code "io.github.vectorlm.gpt2."}
     * @param rounds how many times to run {@code work}
     * @param unitsPerRound tokens (or other units) one round runs, for the bytes-per-unit figure
     * @param work the loop under test
     */
    public static void assertNoAllocationIn(String what, List<String> packages, int rounds, int unitsPerRound,
            Runnable work) {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        List<String> fromCode = new CopyOnWriteArrayList<>();
        AtomicInteger fromControl = new AtomicInteger();
        AtomicInteger samples = new AtomicInteger();
        try (RecordingStream rs = new RecordingStream()) {
            rs.enable("jdk.ObjectAllocationSample").with("throttle", "100/ms").withStackTrace();
            rs.onEvent("jdk.ObjectAllocationSample", e -> {
                samples.incrementAndGet();
                String owner = firstFrameOutsideJdk(e.getStackTrace());
                if (owner.startsWith(AllocationProbe.class.getName())) {
                    fromControl.incrementAndGet();
                } else if (packages.stream().anyMatch(owner::startsWith)) {
                    fromCode.add(owner + " allocated " + e.getClass("objectClass").getName());
                }
            });
            rs.startAsync();
            long before = threads.getCurrentThreadAllocatedBytes();
            for (int round = 0; round < rounds; round++) {
                work.run();
            }
            long perUnit = (threads.getCurrentThreadAllocatedBytes() - before) / ((long) rounds * unitsPerRound);
            System.out.printf("%s: %d bytes allocated per token on the calling thread (kernels included)%n", what,
                    perUnit);
            controlAllocation();
            rs.stop();
        }
        System.out.println(samples.get() + " allocation samples, " + fromControl.get() + " from the control");
        assertThat(fromControl.get()).as("samples of the control allocation").isPositive();
        assertThat(fromCode).as("allocations by " + packages + " while running").isEmpty();
    }

    private static void controlAllocation() {
        for (int i = 0; i < 20_000; i++) {
            sink = new float[1024];
        }
    }

    private static String firstFrameOutsideJdk(RecordedStackTrace stack) {
        if (stack != null) {
            for (RecordedFrame f : stack.getFrames()) {
                String type = f.getMethod().getType().getName();
                if (!type.startsWith("java.") && !type.startsWith("jdk.") && !type.startsWith("sun.")) {
                    return type + "." + f.getMethod().getName();
                }
            }
        }
        return "";
    }
}
