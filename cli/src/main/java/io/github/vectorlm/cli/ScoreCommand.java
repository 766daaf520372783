package io.github.vectorlm.cli;

import io.github.vectorlm.generation.ModelComparison;
import io.github.vectorlm.generation.Scorer;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code vectorlm score}: mean cross-entropy loss and perplexity of a text under a model. */
@Command(name = "score",
        header = "Loss and perplexity of a text under a model.",
        sortOptions = false,
        usageHelpAutoWidth = true,
        mixinStandardHelpOptions = true,
        description = {
            "Measures how well a model predicts a text: the mean cross-entropy loss (nats per token) of each token "
                    + "given the ones before it, and the perplexity exp(loss). The first token is context only.",
            "",
            "Texts longer than the model's context are scored with a sliding window: windows of --window tokens "
                    + "starting every --stride tokens, each token scored once, by the first window that ends after it.",
            "",
            "With --compare-to-f32 and --quantize or --int8, the quantized model is also compared with the same "
                    + "weights as stored (computed in f32), on the same windows: the mean KL divergence "
                    + "KL(as stored || quantized) in nats, the fraction of positions where both give the same most "
                    + "likely token, and the ratio of their perplexities (llama.cpp's --kl-divergence measures).",
            ""},
        footer = {
            "",
            "Output: 'tokens 2000  loss 4.260059  perplexity 70.81'; with --json:",
            "  {\"tokens\": 2000, \"loss\": 4.260058..., \"perplexity\": 70.814...}",
            "",
            "Examples:",
            "  vectorlm score --text \"To be, or not to be, that is the question\"",
            "  vectorlm score --model gpt2 --file article.txt --json",
            "  vectorlm score --model ckpt.pt --ids 464,2068,7586,21831 --json",
            "  vectorlm score --texts-file texts.jsonl --parallel 8",
            "  vectorlm score --model gpt2 --file wiki.txt --quantize q4_0 --compare-to-f32"})
final class ScoreCommand implements Callable<Integer> {
    @ParentCommand
    private VectorLm root;

    @Spec
    private CommandSpec spec;

    @Mixin
    private ModelOptions modelOptions = new ModelOptions();

    @ArgGroup(exclusive = true, multiplicity = "1")
    private Input input;

    static final class Input {
        @Option(names = "--text", paramLabel = "TEXT", required = true, description = "The text to score.")
        String text;

        @Option(names = "--file", paramLabel = "FILE", required = true, description = "A UTF-8 text file to score.")
        Path file;

        @Option(names = "--ids", paramLabel = "IDS", required = true, converter = TokenIds.Converter.class,
                description = "Token ids to score, e.g. 464,2068,7586 (no tokenizer needed).")
        TokenIds ids;

        @Option(names = "--texts-file", paramLabel = "FILE", required = true,
                description = "Many texts, one JSON object per line: {\"text\": \"...\"} or {\"ids\": [...]}, each "
                        + "at most the context long. Scored together by the batching engine; prints one JSON line "
                        + "per input, in input order: {\"index\", \"tokens\", \"loss\", \"perplexity\"}.")
        Path textsFile;
    }

    @Option(names = "--parallel", paramLabel = "N",
            description = "With --texts-file: the most texts scored at once. Default: 16.")
    private Integer parallel;

    @Option(names = "--window", paramLabel = "W",
            description = "Tokens the model sees at once. Default: its context length.")
    private Integer window;

    @Option(names = "--stride", paramLabel = "S",
            description = "Tokens between window starts. Default: half the window.")
    private Integer stride;

    @Option(names = "--json", description = "Print {\"tokens\", \"loss\", \"perplexity\"} as one JSON object.")
    private boolean json;

    @Option(names = "--compare-to-f32",
            description = "With --quantize or --int8: also load the weights as stored and report the mean KL "
                    + "divergence, the fraction of positions with the same top token and the perplexity ratio.")
    private boolean compare;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (compare) {
            if (modelOptions.quantizeType() == null && !modelOptions.int8) {
                throw new CliException("--compare-to-f32 compares a quantized model with its weights as stored",
                        "add --quantize q8_0, --quantize q4_0 or --int8");
            }
            if (input.textsFile != null) {
                throw new CliException("--compare-to-f32 scores one text: give --text, --file or --ids");
            }
            return compare(out);
        }
        try (ProgressDisplay progress = root.progress();
                ModelOptions.LoadedModel loaded = modelOptions.load(root.context(), progress)) {
            if (input.textsFile != null) {
                int failed = JsonLinesJobs.score(loaded.model(), loaded.tokenizer(), input.textsFile,
                        GenerateCommand.parallelism(parallel), out, progress);
                return failed == 0 ? 0 : 1;
            }
            int[] ids;
            if (input.ids != null) {
                ids = input.ids.values();
            } else {
                String text = input.text != null ? input.text : Files.readString(input.file, StandardCharsets.UTF_8);
                ids = loaded.requireTokenizer(input.text != null ? "--text" : "--file").encode(text);
            }
            if (ids.length < 2) {
                throw new CliException("scoring needs at least 2 tokens, the input has " + ids.length,
                        "the first token is context only; give a longer text");
            }
            int w = window != null ? window : loaded.model().contextLength();
            int s = stride != null ? stride : Math.max(1, w / 2);
            ProgressReportingModel model = new ProgressReportingModel(loaded.model(), progress);
            Scorer scorer = new Scorer(model, w, s);
            model.expect("scoring", ProgressReportingModel.scoredPositions(ids.length, w, s));
            Scorer.Score score = scorer.score(ids);
            if (json) {
                Map<String, Object> object = new LinkedHashMap<>();
                object.put("tokens", score.tokens());
                object.put("loss", score.loss());
                object.put("perplexity", score.perplexity());
                Json.print(out, object);
            } else {
                out.printf(Locale.ROOT, "tokens %d  loss %.6f  perplexity %.2f%n", score.tokens(), score.loss(), score.perplexity());
                out.flush();
            }
            if (root.verbose()) {
                spec.commandLine().getErr().printf(Locale.ROOT, "%d targets in %d windows of %d tokens, stride %d%n",
                        score.targets(), score.windows(), w, s);
            }
        }
        return 0;
    }

    /** {@code --compare-to-f32}: the quantized model beside the weights as stored. */
    private int compare(PrintWriter out) throws Exception {
        try (ProgressDisplay progress = root.progress();
                ModelOptions.LoadedModel reference = modelOptions.load(root.context(), progress, false);
                ModelOptions.LoadedModel loaded = modelOptions.load(root.context(), progress, true)) {
            int[] ids;
            if (input.ids != null) {
                ids = input.ids.values();
            } else {
                String text = input.text != null ? input.text : Files.readString(input.file, StandardCharsets.UTF_8);
                ids = loaded.requireTokenizer(input.text != null ? "--text" : "--file").encode(text);
            }
            if (ids.length < 2) {
                throw new CliException("scoring needs at least 2 tokens, the input has " + ids.length,
                        "the first token is context only; give a longer text");
            }
            int w = window != null ? window : loaded.model().contextLength();
            int s = stride != null ? stride : Math.max(1, w / 2);
            ProgressReportingModel model = new ProgressReportingModel(loaded.model(), progress);
            model.expect("comparing", ProgressReportingModel.scoredPositions(ids.length, w, s));
            ModelComparison.Result r = new ModelComparison(reference.model(), model, w, s).compare(ids);
            if (json) {
                Map<String, Object> object = new LinkedHashMap<>();
                object.put("tokens", ids.length);
                object.put("perplexity", r.perplexity());
                object.put("reference_perplexity", r.referencePerplexity());
                object.put("perplexity_ratio", r.perplexityRatio());
                object.put("mean_kl_divergence", r.meanKlDivergence());
                object.put("max_kl_divergence", r.maxKlDivergence());
                object.put("same_top_token", r.sameTopToken());
                Json.print(out, object);
            } else {
                out.printf(Locale.ROOT, "tokens %d  perplexity %.4f  as stored %.4f  ratio %.5f%n", ids.length,
                        r.perplexity(), r.referencePerplexity(), r.perplexityRatio());
                out.printf(Locale.ROOT, "mean KL divergence %.6f nats (max %.6f)  same top token %.2f%%%n",
                        r.meanKlDivergence(), r.maxKlDivergence(), 100 * r.sameTopToken());
                out.flush();
            }
        }
        return 0;
    }
}
