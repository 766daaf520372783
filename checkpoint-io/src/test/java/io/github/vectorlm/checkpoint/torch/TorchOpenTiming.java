package io.github.vectorlm.checkpoint.torch;

import io.github.vectorlm.checkpoint.Checkpoint;
import io.github.vectorlm.checkpoint.Checkpoints;
import io.github.vectorlm.checkpoint.TensorInfo;
import io.github.vectorlm.tensor.Tensor;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Measures what opening a checkpoint costs: open it, touch every tensor's metadata (info and the
 * mapped view), close; per run the wall time and the heap this thread allocated. Not a test:
 * run it by hand on a large file (see docs/performance.md), e.g. with a heap far smaller than the
 * file to show that weights never land on it.
 *
 * <pre>
 * java -cp ... io.github.vectorlm.checkpoint.torch.TorchOpenTiming FILE [RUNS]
 * </pre>
 */
public final class TorchOpenTiming {
    private TorchOpenTiming() {
    }

    /** Arguments: the checkpoint file, then the number of runs (default 10). */
    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        // through reflection: the test sources compile inside the checkpoint module, which does not read java.management
        Object threads = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean").invoke(null);
        Method allocatedBytes = Class.forName("com.sun.management.ThreadMXBean").getMethod("getCurrentThreadAllocatedBytes");
        System.out.printf("%s: %,d bytes; JDK %s, max heap %,d bytes%n", file, Files.size(file), Runtime.version(),
                Runtime.getRuntime().maxMemory());
        for (int run = 1; run <= runs; run++) {
            long allocatedBefore = (long) allocatedBytes.invoke(threads);
            long start = System.nanoTime();
            int tensors = 0;
            long weightBytes = 0;
            try (Checkpoint ckpt = Checkpoints.open(file)) {
                for (String name : ckpt.tensorNames()) {
                    TensorInfo info = ckpt.info(name);
                    Tensor tensor = ckpt.tensor(name);
                    weightBytes += info.dataBytes();
                    tensors += tensor.rank() >= 0 ? 1 : 0;
                }
            }
            double millis = (System.nanoTime() - start) / 1e6;
            long allocated = (long) allocatedBytes.invoke(threads) - allocatedBefore;
            System.out.printf("run %2d: %d tensors, %,d weight bytes: open + metadata %.2f ms, heap allocated %,d bytes%n",
                    run, tensors, weightBytes, millis, allocated);
        }
    }
}
