package io.github.vectorlm.cli;

import io.github.vectorlm.checkpoint.Checkpoint;
import io.github.vectorlm.checkpoint.CheckpointException;
import io.github.vectorlm.checkpoint.CheckpointFormat;
import io.github.vectorlm.checkpoint.Checkpoints;
import io.github.vectorlm.checkpoint.GgufCheckpoint;
import io.github.vectorlm.checkpoint.TensorInfo;
import io.github.vectorlm.tensor.DType;
import io.github.vectorlm.tensor.Tensor;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code vectorlm inspect}: what a checkpoint holds. */
@Command(name = "inspect",
        header = "What a checkpoint holds: format, tensors, metadata.",
        sortOptions = false,
        usageHelpAutoWidth = true,
        mixinStandardHelpOptions = true,
        description = {
            "Shows what a checkpoint holds: its format, every tensor (name, dtype, shape, bytes) and the non-tensor "
                    + "content (a pickle's dicts, lists and numbers; safetensors' __metadata__; a TensorFlow "
                    + "bundle's header and string tensors; a GGUF file's metadata). Reads metadata only; the format "
                    + "is recognised from the bytes, not the file name.",
            "",
            "PATH may be a file (.pt, .bin, ckpt.pt, .safetensors, model.ckpt.index, .gguf), a TensorFlow prefix "
                    + "(model.ckpt), a Hugging Face *.index.json, or a folder holding one of those.",
            "",
            "A GGUF tensor's shape is row-major like every other (GGUF's ne reversed: ne [768, 50257] is shown as "
                    + "[50257, 768]); a block-quantized one shows its ggml type as dtype (Q8_0, Q4_K, ...) and the "
                    + "bytes of its blocks.",
            ""},
        footer = {
            "",
            "JSON output (--json), here of the demo model's ckpt.pt (tied tensors are counted under each name):",
            "  {\"path\": ..., \"format\": \"TORCH_ZIP\", \"formatName\": ...,",
            "   \"tensorCount\": 78, \"tensorBytes\": 28200964,",
            "   \"tensors\": [{\"name\": \"model.transformer.wte.weight\", \"dtype\": \"F16\",",
            "                \"shape\": [50304, 128], \"bytes\": 12877824}, ...],",
            "   \"content\": {...}}",
            "In \"content\" a tensor stands as its name (one of \"tensors\"), bytes as base64, and an object of an "
                    + "allowed extra pickle global as {\"global\", \"args\", \"state\"}. Single-element tensors carry "
                    + "their \"value\".",
            "",
            "Examples:",
            "  vectorlm inspect models/gpt2-shakespeare/ckpt.pt",
            "  vectorlm inspect gpt2/model.ckpt.index --json",
            "  vectorlm inspect pythia-160m/ --json | jq '.tensors[].name'"})
final class InspectCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "PATH", description = "The checkpoint file or folder.")
    private Path path;

    @Option(names = "--json", description = "Print everything as one JSON object.")
    private boolean json;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        try (Checkpoint checkpoint = Checkpoints.open(path)) {
            List<Map<String, Object>> tensors = new ArrayList<>();
            long totalBytes = 0;
            for (String name : checkpoint.tensorNames()) {
                TensorInfo info = checkpoint.info(name);
                Map<String, Object> t = new LinkedHashMap<>();
                t.put("name", name);
                t.put("dtype", info.typeName());
                t.put("shape", info.shape().toArray());
                t.put("bytes", info.storedBytes());
                Object value = singleValue(checkpoint, info);
                if (value != null) {
                    t.put("value", value);
                }
                tensors.add(t);
                totalBytes = Math.addExact(totalBytes, info.storedBytes());
            }
            if (json) {
                Map<String, Object> object = new LinkedHashMap<>();
                object.put("path", checkpoint.path().toString());
                object.put("format", checkpoint.format().name());
                object.put("formatName", describe(checkpoint));
                object.put("tensorCount", tensors.size());
                object.put("tensorBytes", totalBytes);
                object.put("tensors", tensors);
                object.put("content", ContentView.toJson(checkpoint.content()));
                Json.printPretty(out, object);
            } else {
                printText(out, checkpoint, tensors, totalBytes);
            }
        }
        return 0;
    }

    private static void printText(PrintWriter out, Checkpoint checkpoint, List<Map<String, Object>> tensors, long totalBytes) {
        out.println(checkpoint.path());
        out.println("format   " + describe(checkpoint));
        out.printf(Locale.ROOT, "tensors  %d, %s%n", tensors.size(), bytesText(totalBytes));
        if (!tensors.isEmpty()) {
            int nameWidth = 4;
            int dtypeWidth = 5;
            int shapeWidth = 5;
            for (Map<String, Object> t : tensors) {
                nameWidth = Math.max(nameWidth, ((String) t.get("name")).length());
                dtypeWidth = Math.max(dtypeWidth, ((String) t.get("dtype")).length());
                shapeWidth = Math.max(shapeWidth, shape(t).length());
            }
            String columns = "  %-" + nameWidth + "s  %-" + dtypeWidth + "s  %-" + shapeWidth + "s  ";
            String row = columns + "%,14d%s%n";
            out.printf(Locale.ROOT, columns + "%14s%n", "NAME", "DTYPE", "SHAPE", "BYTES");
            for (Map<String, Object> t : tensors) {
                Object value = t.get("value");
                out.printf(Locale.ROOT, row, t.get("name"), t.get("dtype"), shape(t), (Long) t.get("bytes"),
                        value == null ? "" : "  = " + value);
            }
        }
        Object content = checkpoint.content();
        if (content != null && !(content instanceof Map<?, ?> m && m.isEmpty())) {
            out.println("content");
            ContentView.print(out, content, 2);
        }
        out.flush();
    }

    /** The value of a one-element numeric or boolean tensor (e.g. nanoGPT's best_val_loss), else null. */
    private static Object singleValue(Checkpoint checkpoint, TensorInfo info) throws IOException {
        if (info.shape().numel() != 1 || info.isBlockQuantized()) {
            return null;
        }
        Tensor t;
        try {
            t = checkpoint.tensor(info.name());
        } catch (CheckpointException e) {
            return null; // inspect lists what it can; reading the tensor (convert, a model) reports the damage
        }
        long[] index = new long[t.rank()];
        DType dtype = info.dtype();
        if (dtype == DType.BOOL) {
            return t.getBoolean(index);
        }
        if (dtype.isFloatingPoint()) {
            return t.getDouble(index);
        }
        try {
            return t.getLong(index);
        } catch (UnsupportedOperationException | IllegalArgumentException | IllegalStateException e) {
            return null; // a dtype with no numeric reading (e.g. a string); the listing does without
        }
    }

    private static String shape(Map<String, Object> t) {
        long[] dims = (long[]) t.get("shape");
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < dims.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(dims[i]);
        }
        return sb.append(']').toString();
    }

    /** The format's description, with a GGUF file's version and alignment. */
    static String describe(Checkpoint checkpoint) {
        String text = describe(checkpoint.format());
        return checkpoint instanceof GgufCheckpoint gguf
                ? text + ", version " + gguf.version() + ", alignment " + gguf.alignment()
                : text;
    }

    static String describe(CheckpointFormat format) {
        return switch (format) {
            case TORCH_ZIP -> "PyTorch zip archive (torch.save)";
            case TORCH_LEGACY -> "PyTorch legacy pickle stream (torch.save, _use_new_zipfile_serialization=False)";
            case SAFETENSORS -> "safetensors";
            case TENSORFLOW_BUNDLE -> "TensorFlow tensor bundle (index + data shards)";
            case SHARDED -> "sharded checkpoint (Hugging Face *.index.json weight map)";
            case GGUF -> "GGUF (llama.cpp / ggml)";
        };
    }

    static String bytesText(long bytes) {
        if (bytes < 1024) {
            return bytes + " bytes";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = bytes;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%,d bytes (%.1f %s)", bytes, v, units[u]);
    }
}
