package io.github.vectorlm.cli;

import io.github.vectorlm.decoder.ExportFormat;
import io.github.vectorlm.decoder.ExportOptions;
import io.github.vectorlm.decoder.ExportType;
import io.github.vectorlm.decoder.ModelExport;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code vectorlm export}: a model, from any layout it loads from, to a Hugging Face folder or a GGUF file. */
@Command(name = "export",
        header = "A model to a Hugging Face folder or a GGUF file (llama.cpp's layout).",
        sortOptions = false,
        usageHelpAutoWidth = true,
        mixinStandardHelpOptions = true,
        description = {
            "Writes the model --model names (any layout 'generate' loads: OpenAI's TensorFlow GPT-2, a nanoGPT "
                    + "ckpt.pt, Hugging Face folders, GPT-NeoX slim weights with their YAML; default: the built-in "
                    + "demo model) as:",
            "  --to hf OUT_DIR    config.json, model.safetensors (shards + model.safetensors.index.json above "
                    + "--max-shard-size), tokenizer.json, generation_config.json: what transformers' "
                    + "from_pretrained loads;",
            "  --to gguf OUT.gguf one GGUF v3 file with the tensor names, metadata and tokenizer that llama.cpp's "
                    + "convert_hf_to_gguf.py writes for the architecture (gpt2, gptneox).",
            "",
            "Weights keep the type they are stored in unless --quantize says otherwise; q8_0 and q4_0 are for GGUF "
                    + "only (vectors and GPT-2's position embedding stay f32, the head of a q4_0 file q8_0). "
                    + "Tensors are read and written one at a time (slim weights merged one pipeline layer at a "
                    + "time), the output is written under a temporary name and moved into place when complete, "
                    + "and an existing output is replaced only with --force.",
            ""},
        footer = {
            "",
            "Examples:",
            "  vectorlm export --to gguf shakespeare.gguf",
            "  vectorlm export --model gpt2 --to hf gpt2-hf",
            "  vectorlm export --model models/gpt2-shakespeare --to gguf shakespeare.Q8_0.gguf --quantize q8_0",
            "  vectorlm export --model 20B_checkpoints --to hf neox-20b-hf --quantize f16"})
final class ExportCommand implements Callable<Integer> {
    @ParentCommand
    private VectorLm root;

    @Spec
    private CommandSpec spec;

    @Option(names = "--model", paramLabel = "PATH",
            description = {ModelOptions.MODEL_HELP, ModelOptions.MODEL_DEFAULT_HELP})
    private Path model;

    @Option(names = "--to", required = true, paramLabel = "hf|gguf", description = "What to write: hf or gguf.")
    private String to;

    @Parameters(index = "0", paramLabel = "OUT", description = "The folder (hf) or file (gguf) to write.")
    private Path out;

    @Option(names = "--quantize", paramLabel = "TYPE",
            description = "The weights' type: f32, f16, bf16, or for gguf also q8_0, q4_0 (default: as stored).")
    private String quantize;

    @Option(names = "--tokenizer", paramLabel = "FILE",
            description = "The tokenizer to export (tokenizer.json, or encoder.json with vocab.bpe beside it); "
                    + "default: the one beside the model.")
    private Path tokenizer;

    @Option(names = "--config", paramLabel = "FILE",
            description = "The model's config file (a GPT-NeoX YAML for slim weights); default: found beside the model.")
    private Path config;

    @Option(names = "--max-shard-size", paramLabel = "BYTES", defaultValue = "5000000000",
            description = "hf: the largest safetensors file before the weights are split into shards (default: 5 GB).")
    private long maxShardBytes;

    @Option(names = "--force", description = "Replace OUT if it exists.")
    private boolean force;

    @Override
    public Integer call() throws IOException {
        ExportFormat format = switch (to.toLowerCase(Locale.ROOT)) {
            case "hf" -> ExportFormat.HF;
            case "gguf" -> ExportFormat.GGUF;
            default -> throw new CliException("--to " + to + ": expected hf or gguf");
        };
        ExportOptions options;
        try {
            ExportType type = quantize == null ? null : ExportType.parse(quantize);
            options = ExportOptions.of(format).withType(type).withForce(force).withMaxShardBytes(maxShardBytes)
                    .withTokenizer(tokenizer).withConfig(config);
        } catch (IllegalArgumentException e) {
            throw new CliException("--quantize " + quantize + ": " + e.getMessage());
        }
        PrintWriter stdout = spec.commandLine().getOut();
        long start = System.nanoTime();
        ModelExport.Result result;
        try (ProgressDisplay progress = root.progress()) {
            result = ModelExport.export(ModelOptions.modelPath(model, root.context()), out,
                    options.withProgress(progress::bytes));
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        stdout.printf(Locale.ROOT, "wrote %s: %s %s, %d tensors, %s in %.2f s (%.0f MB/s)%n", result.out(),
                format.name().toLowerCase(Locale.ROOT), result.type().name().toLowerCase(Locale.ROOT), result.tensors(),
                InspectCommand.bytesText(result.bytes()), seconds, result.bytes() / 1e6 / seconds);
        stdout.flush();
        return 0;
    }
}
