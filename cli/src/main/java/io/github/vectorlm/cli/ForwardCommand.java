package io.github.vectorlm.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import io.github.vectorlm.generation.LanguageModel;
import io.github.vectorlm.generation.Session;
import io.github.vectorlm.generation.Tokenizer;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code vectorlm forward}: the logits of every position, for checking against other implementations. */
@Command(name = "forward",
        header = "The logits of every position, for checking against other implementations.",
        sortOptions = false,
        usageHelpAutoWidth = true,
        mixinStandardHelpOptions = true,
        description = {
            "Runs the model once over the tokens and prints the logits of every position (float32): row p holds "
                    + "the scores of the token after position p.",
            ""},
        footer = {
            "",
            "Output: the 5 highest logits of each position; with --json, every logit:",
            "  {\"logits\": [[...vocab floats...], ...one row per position]}",
            "Floats are printed so that they read back to the same float32 (shortest round-trip form).",
            "",
            "Examples:",
            "  vectorlm forward --ids 464,2068,7586",
            "  vectorlm forward --model gpt2 --ids 464,2068,7586 --json > logits.json",
            "  vectorlm forward --text \"ROMEO:\" --top 10"})
final class ForwardCommand implements Callable<Integer> {
    @ParentCommand
    private VectorLm root;

    @Spec
    private CommandSpec spec;

    @Mixin
    private ModelOptions modelOptions = new ModelOptions();

    @ArgGroup(exclusive = true, multiplicity = "1")
    private Input input;

    static final class Input {
        @Option(names = "--ids", paramLabel = "IDS", required = true, converter = TokenIds.Converter.class,
                description = "The tokens, e.g. 464,2068,7586 (no tokenizer needed).")
        TokenIds ids;

        @Option(names = "--text", paramLabel = "TEXT", required = true, description = "The tokens as text.")
        String text;
    }

    @Option(names = "--top", paramLabel = "K", defaultValue = "5",
            description = "Without --json: how many of the highest logits to show per position. Default: ${DEFAULT-VALUE}.")
    private int top;

    @Option(names = "--json", description = "Print every logit as {\"logits\": [[...], ...]}.")
    private boolean json;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        try (ProgressDisplay progress = root.progress();
                ModelOptions.LoadedModel loaded = modelOptions.load(root.context(), progress)) {
            LanguageModel model = loaded.model();
            int[] ids = input.ids != null ? input.ids.values() : loaded.requireTokenizer("--text").encode(input.text);
            if (ids.length == 0) {
                throw new CliException("no tokens to run");
            }
            int vocab = model.vocabSize();
            float[] logits = new float[Math.multiplyExact(ids.length, vocab)];
            Session session = model.newSession();
            model.forwardAll(session, ids, 0, ids.length, logits);
            if (json) {
                try (JsonGenerator g = Json.generator(out)) {
                    g.writeStartObject();
                    g.writeArrayFieldStart("logits");
                    for (int p = 0; p < ids.length; p++) {
                        g.writeStartArray();
                        for (int v = 0; v < vocab; v++) {
                            g.writeNumber(logits[p * vocab + v]);
                        }
                        g.writeEndArray();
                    }
                    g.writeEndArray();
                    g.writeEndObject();
                }
                out.println();
            } else {
                printTop(out, ids, logits, vocab, loaded.tokenizer());
            }
            out.flush();
        }
        return 0;
    }

    private void printTop(PrintWriter out, int[] ids, float[] logits, int vocab, Tokenizer tokenizer) {
        int k = Math.max(1, Math.min(top, vocab));
        for (int p = 0; p < ids.length; p++) {
            out.printf(Locale.ROOT, "%4d  %s ->", p, show(tokenizer, ids[p]));
            boolean[] taken = new boolean[vocab];
            for (int j = 0; j < k; j++) {
                int best = -1;
                for (int v = 0; v < vocab; v++) {
                    if (!taken[v] && (best < 0 || logits[p * vocab + v] > logits[p * vocab + best])) {
                        best = v;
                    }
                }
                taken[best] = true;
                out.printf(Locale.ROOT, "  %s %.4f", show(tokenizer, best), logits[p * vocab + best]);
            }
            out.println();
        }
    }

    /** {@code 464 "The"}, or the bare id without a tokenizer. */
    private static String show(Tokenizer tokenizer, int id) {
        if (tokenizer == null || id >= tokenizer.vocabSize()) {
            return Integer.toString(id);
        }
        String text = tokenizer.decode(new int[] {id}).replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t");
        return id + " \"" + text + "\"";
    }
}
