import io.github.vectorlm.checkpoint.Checkpoint;
import io.github.vectorlm.checkpoint.CheckpointOptions;
import io.github.vectorlm.checkpoint.Checkpoints;
import io.github.vectorlm.checkpoint.SafetensorsWriter;
import io.github.vectorlm.checkpoint.TensorInfo;
import io.github.vectorlm.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * Measures what opening a checkpoint costs (tools/checkpoint-bench/run.sh runs it).
 *
 * <pre>
 * open PATH      open, read every tensor's metadata (info + tensor view, no data touched), close
 * verify PATH    open, tensor() every tensor with checksum verification on (TF: CRC32C of all data)
 * convert IN OUT write IN as safetensors to OUT
 * crc FILE       CRC32C throughput over the page-cached, mapped FILE (best of 5)
 * </pre>
 * Prints wall time and the bytes this thread allocated on the heap.
 */
public final class CheckpointBench {
    public static void main(String[] args) throws Exception {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().threadId();
        long allocated0 = threads.getThreadAllocatedBytes(tid);
        long t0 = System.nanoTime();
        String result;
        switch (args[0]) {
            case "open" -> {
                long bytes = 0;
                int n = 0;
                try (Checkpoint ckpt = Checkpoints.open(Path.of(args[1]),
                        CheckpointOptions.defaults().withVerifyChecksums(false))) {
                    for (String name : ckpt.tensorNames()) {
                        TensorInfo info = ckpt.info(name);
                        Tensor view = ckpt.tensor(name); // a view: no data read with checksums off
                        bytes += info.dataBytes() + view.rank();
                        n++;
                    }
                }
                result = String.format("open+metadata of %d tensors (%.1f MB of weights)", n, bytes / 1e6);
            }
            case "verify" -> {
                long bytes = 0;
                try (Checkpoint ckpt = Checkpoints.open(Path.of(args[1]))) {
                    for (String name : ckpt.tensorNames()) {
                        bytes += ckpt.tensor(name).dataBytes();
                    }
                }
                double s = (System.nanoTime() - t0) / 1e9;
                result = String.format("open+tensor() with checksums over %.1f MB: %.2f GB/s", bytes / 1e6, bytes / 1e9 / s);
            }
            case "convert" -> {
                try (Checkpoint ckpt = Checkpoints.open(Path.of(args[1]))) {
                    SafetensorsWriter.write(ckpt, Path.of(args[2]));
                }
                result = "converted " + args[1] + " to " + args[2];
            }
            case "crc" -> {
                try (Arena arena = Arena.ofConfined();
                        FileChannel ch = FileChannel.open(Path.of(args[1]), StandardOpenOption.READ)) {
                    MemorySegment file = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
                    double best = 0;
                    StringBuilder runs = new StringBuilder();
                    for (int run = 0; run < 5; run++) {
                        long start = System.nanoTime();
                        CRC32C crc = new CRC32C();
                        for (long off = 0; off < file.byteSize(); off += 1L << 30) {
                            crc.update(file.asSlice(off, Math.min(1L << 30, file.byteSize() - off)).asByteBuffer());
                        }
                        double gbs = file.byteSize() / 1e9 / ((System.nanoTime() - start) / 1e9);
                        runs.append(String.format(" %.2f", gbs));
                        best = Math.max(best, gbs);
                    }
                    result = String.format("CRC32C over %.1f MB mapped: best %.2f GB/s (runs:%s)", file.byteSize() / 1e6, best, runs);
                }
            }
            default -> throw new IllegalArgumentException(args[0]);
        }
        double ms = (System.nanoTime() - t0) / 1e6;
        long allocated = threads.getThreadAllocatedBytes(tid) - allocated0;
        System.out.printf("%s: %s: %.1f ms, %.2f MB allocated on the heap by this thread%n",
                args[0], result, ms, allocated / 1e6);
    }
}
