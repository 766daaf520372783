package io.github.vectorlm.cli;

import io.github.vectorlm.checkpoint.Checkpoint;
import io.github.vectorlm.checkpoint.CheckpointFormat;
import io.github.vectorlm.checkpoint.Checkpoints;
import io.github.vectorlm.checkpoint.SafetensorsWriter;
import io.github.vectorlm.checkpoint.TensorInfo;
import io.github.vectorlm.tensor.Tensor;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code vectorlm convert}: any checkpoint to safetensors, values exact. */
@Command(name = "convert",
        header = "Any checkpoint to .safetensors, values exact (GGUF blocks dequantized).",
        sortOptions = false,
        usageHelpAutoWidth = true,
        mixinStandardHelpOptions = true,
        description = {
            "Writes every tensor of a checkpoint (PyTorch, TensorFlow bundle, safetensors, sharded, GGUF) to one "
                    + ".safetensors file, bit for bit: no dtype conversion, non-contiguous tensors written in "
                    + "row-major order.",
            "",
            "GGUF: F32, F16, BF16, F64 and integer tensors are written as they are, in row-major shape (GGUF's ne "
                    + "reversed); block-quantized ones (Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q8_1, Q2_K to Q6_K) are "
                    + "dequantized to F32 exactly as ggml dequantizes them. Types with no dequantizer here (the "
                    + "i-quants, TQ1_0, TQ2_0, MXFP4, ...) stop the conversion with the tensor's name. GGUF metadata "
                    + "is not carried over ('vectorlm inspect --json' shows it).",
            "",
            "Tensors keep the names 'vectorlm inspect' shows: their path in the pickled object joined by '.' "
                    + "(a nanoGPT ckpt.pt gives model.transformer.wte.weight, optimizer.state.0.exp_avg, best_val_loss). "
                    + "A safetensors source's __metadata__ is kept. The file is written under a temporary name and "
                    + "moved into place when complete. A checkpoint without tensors is an error: nothing is written.",
            ""},
        footer = {
            "",
            "Examples:",
            "  vectorlm convert models/gpt2-shakespeare/ckpt.pt shakespeare.safetensors",
            "  vectorlm convert gpt2/model.ckpt.index gpt2.safetensors",
            "  vectorlm convert pytorch_model.bin model.safetensors --force",
            "  vectorlm convert gpt2.Q8_0.gguf gpt2-dequantized.safetensors"})
final class ConvertCommand implements Callable<Integer> {
    @ParentCommand
    private VectorLm root;

    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "PATH", description = "The checkpoint to read (file or folder).")
    private Path source;

    @Parameters(index = "1", paramLabel = "OUT.safetensors", description = "The file to write.")
    private Path target;

    @Option(names = "--force", description = "Replace OUT if it exists.")
    private boolean force;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        if (Files.exists(target) && !force) {
            throw new FileAlreadyExistsException(target.toString(), null, "pass --force to replace it");
        }
        if (Files.isDirectory(target)) {
            throw new CliException(target + " is a folder; OUT must be a file name such as model.safetensors");
        }
        try (ProgressDisplay progress = root.progress(); Checkpoint checkpoint = Checkpoints.open(source)) {
            if (Files.exists(target) && Files.isSameFile(target, checkpoint.path())) {
                throw new CliException("OUT is the file being read: " + target);
            }
            if (checkpoint.tensorNames().isEmpty()) {
                throw new CliException(checkpoint.path() + " holds no tensors, so there is nothing to convert;"
                        + " nothing was written", "'vectorlm inspect " + source + "' shows what it holds");
            }
            Map<String, String> metadata = checkpoint.format() == CheckpointFormat.SAFETENSORS
                    || checkpoint.format() == CheckpointFormat.SHARDED ? checkpoint.stringMetadata() : Map.of();
            long total = 0;
            for (String name : checkpoint.tensorNames()) {
                total = Math.addExact(total, checkpoint.info(name).dataBytes());
            }
            String task = "converting " + source.getFileName();
            SafetensorsWriter.write(new Counting(checkpoint, progress, task, total), target, n -> n, metadata);
            progress.bytes(task, total, total);
            out.printf("wrote %s: %d tensors, %s%n", target, checkpoint.tensorNames().size(), InspectCommand.bytesText(total));
            out.flush();
        }
        return 0;
    }

    /** A checkpoint that reports the bytes of the tensors taken from it as progress. */
    private static final class Counting implements Checkpoint {
        private final Checkpoint inner;
        private final ProgressDisplay progress;
        private final String task;
        private final long total;
        private long done;

        Counting(Checkpoint inner, ProgressDisplay progress, String task, long total) {
            this.inner = inner;
            this.progress = progress;
            this.task = task;
            this.total = total;
        }

        @Override
        public Path path() {
            return inner.path();
        }

        @Override
        public CheckpointFormat format() {
            return inner.format();
        }

        @Override
        public List<String> tensorNames() {
            return inner.tensorNames();
        }

        @Override
        public TensorInfo info(String name) {
            return inner.info(name);
        }

        @Override
        public Tensor tensor(String name) throws IOException {
            // the writer asks for a tensor when it is about to write it: report what was written before
            progress.bytes(task, done, total);
            Tensor t = inner.tensor(name);
            done += t.dataBytes();
            return t;
        }

        @Override
        public Object content() {
            return inner.content();
        }

        @Override
        public Map<String, String> stringMetadata() {
            return inner.stringMetadata();
        }

        @Override
        public void close() {
            // the command closes the checkpoint it opened
        }
    }
}
