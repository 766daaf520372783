package io.github.vectorlm.cli;

import io.github.vectorlm.generation.Tokenizer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code vectorlm tokenize}: text to token ids and back. */
@Command(name = "tokenize",
        header = "Text to token ids, or ids to text.",
        sortOptions = false,
        usageHelpAutoWidth = true,
        mixinStandardHelpOptions = true,
        description = {
            "Turns text into token ids (--text) or token ids into text (--decode) with a model's byte-level BPE "
                    + "tokenizer (GPT-2's encoder.json + vocab.bpe, or a Hugging Face tokenizer.json).",
            ""},
        footer = {
            "",
            "Output: the ids as 15496,995 (the form --ids and --decode read), or the text; with --json:",
            "  {\"ids\": [15496, 995]}   or   {\"text\": \"Hello world\"}",
            "",
            "Examples:",
            "  vectorlm tokenize --text \"Hello world\"",
            "  vectorlm tokenize --decode 15496,995",
            "  vectorlm tokenize --tokenizer 20B_tokenizer.json --text \"Hi\" --json"})
final class TokenizeCommand implements Callable<Integer> {
    @ParentCommand
    private VectorLm root;

    @Spec
    private CommandSpec spec;

    @ArgGroup(exclusive = true)
    private Source source = new Source();

    static final class Source {
        @Option(names = "--model", paramLabel = "PATH",
                description = "The tokenizer of this model (found beside its weights). Default: the demo model's.")
        Path model;

        @Option(names = "--tokenizer", paramLabel = "FILE",
                description = "A tokenizer file: tokenizer.json, 20B_tokenizer.json, or encoder.json with vocab.bpe beside it.")
        Path tokenizer;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    private Input input;

    static final class Input {
        @Option(names = "--text", paramLabel = "TEXT", required = true, description = "Text to encode.")
        String text;

        @Option(names = "--decode", paramLabel = "IDS", required = true, converter = TokenIds.Converter.class,
                description = "Token ids to decode, e.g. 15496,995.")
        TokenIds ids;
    }

    @Option(names = "--json", description = "Print {\"ids\": [...]} or {\"text\": \"...\"}.")
    private boolean json;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Tokenizer tokenizer = ModelOptions.tokenizerOnly(source.tokenizer, source.model, root.context());
        if (input.text != null) {
            int[] ids = tokenizer.encode(input.text);
            if (json) {
                Json.print(out, Map.of("ids", ids));
            } else {
                out.println(TokenIds.format(ids));
            }
        } else {
            GenerationChecks.checkVocabulary(input.ids.values(), tokenizer.vocabSize(), "tokenizer's vocabulary");
            String text = tokenizer.decode(input.ids.values());
            if (json) {
                Json.print(out, Map.of("text", text));
            } else {
                out.println(text);
            }
        }
        out.flush();
        return 0;
    }
}
