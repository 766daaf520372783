package io.github.vectorlm.neox;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.vectorlm.generation.LoadOptions;
import io.github.vectorlm.generation.Session;
import io.github.vectorlm.tensor.ops.Parallel;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * No allocation in the token loop, from this module's code. JFR samples allocations with their
 * stacks while a warmed-up model decodes and prefills; a sample whose first frame outside the JDK
 * is in {@code io.github.vectorlm.neox} (other than this test) fails. What the kernels allocate is
 * printed, not judged here. A deliberate allocation in this test proves the sampler sees this package.
 */
class NeoxAllocationTest {
    private static volatile Object sink;

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void theForwardPassAllocatesNothingInTheModel(boolean int8) throws Exception {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        List<String> fromModel = new CopyOnWriteArrayList<>();
        AtomicInteger fromControl = new AtomicInteger();
        AtomicInteger samples = new AtomicInteger();
        int[] ids = new int[64];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = (i * 37 + 11) % 128;
        }
        try (Parallel parallel = Parallel.create(2);
                NeoxModel model = new NeoxLoader().load(Fixtures.hf("par_r25_f16_st"),
                        LoadOptions.defaults().withParallel(parallel).withInt8(int8))) {
            Session s = model.newSession();
            float[] logits = new float[ids.length * model.vocabSize()];
            for (int round = 0; round < 3; round++) {
                run(model, s, ids, logits); // warm the JIT up
            }
            try (RecordingStream rs = new RecordingStream()) {
                rs.enable("jdk.ObjectAllocationSample").with("throttle", "100/ms").withStackTrace();
                rs.onEvent("jdk.ObjectAllocationSample", e -> {
                    samples.incrementAndGet();
                    String owner = firstFrameOutsideJdk(e.getStackTrace());
                    if (owner.startsWith(NeoxAllocationTest.class.getName())) {
                        fromControl.incrementAndGet();
                    } else if (owner.startsWith("io.github.vectorlm.neox.")) {
                        fromModel.add(owner + " allocated " + e.getClass("objectClass").getName());
                    }
                });
                rs.startAsync();
                long before = threads.getCurrentThreadAllocatedBytes();
                int rounds = 10;
                for (int round = 0; round < rounds; round++) {
                    run(model, s, ids, logits);
                }
                long perToken = (threads.getCurrentThreadAllocatedBytes() - before) / ((long) rounds * ids.length);
                System.out.printf("int8=%s: %d bytes allocated per token on the calling thread (kernels included)%n",
                        int8, perToken);
                for (int i = 0; i < 20_000; i++) {
                    sink = new float[1024];
                }
                rs.stop();
            }
        }
        System.out.println(samples.get() + " allocation samples, " + fromControl.get() + " from the control");
        assertThat(fromControl.get()).as("samples of the control allocation").isPositive();
        assertThat(fromModel).as("allocations by the model's own code").isEmpty();
    }

    /** A prefill of half the ids, then decode steps for the rest. */
    private static void run(NeoxModel model, Session s, int[] ids, float[] logits) {
        s.reset();
        int half = ids.length / 2;
        model.forwardAll(s, ids, 0, half, logits);
        for (int t = half; t < ids.length; t++) {
            model.forward(s, ids, t, 1, logits);
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
