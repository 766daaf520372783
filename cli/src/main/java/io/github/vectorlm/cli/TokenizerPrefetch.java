package io.github.vectorlm.cli;

import io.github.vectorlm.generation.LoadOptions;
import io.github.vectorlm.generation.Tokenizers;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Set;

/**
 * Starts reading the model's tokenizer before the command line is parsed. On a cold start the
 * GPT-2 tokenizer takes about as long to read as parsing the options and opening the checkpoint
 * together, and the model loader used to wait for it; read from the start, on the other core, it
 * is there when the loader asks ({@link Tokenizers#prefetch}). The arguments are only glanced at:
 * a model command's {@code --model} and {@code --tokenizer}; when the parsed options turn out to
 * name another tokenizer, the loader reads its own and this read is wasted, nothing else.
 */
final class TokenizerPrefetch {
    /** The commands that load a model through a loader (which claims the prefetched tokenizer). */
    private static final Set<String> MODEL_COMMANDS = Set.of("generate", "score", "forward", "bench");

    private TokenizerPrefetch() {
    }

    /**
     * Starts the read for {@code args}, if they run a model command; returns at once. Even the call
     * is made on another thread: the first touch of {@link Tokenizers} initialises Jackson's
     * {@code ObjectMapper}, some 70 ms of a cold start that the main thread need not wait for.
     */
    static void start(String[] args, CliContext context) {
        Target target = target(args, context);
        if (target != null) {
            Thread.ofPlatform().daemon().name("vectorlm-tokenizer-prefetch").start(() ->
                    Tokenizers.prefetch(target.model(), LoadOptions.defaults().withTokenizer(target.tokenizer())));
        }
    }

    /**
     * What the loader will ask for.
     *
     * @param model the model path
     * @param tokenizer the {@code --tokenizer} file, or null
     */
    record Target(Path model, Path tokenizer) {
    }

    /** The model and tokenizer a model command among {@code args} names (the demo model by default), or null. */
    static Target target(String[] args, CliContext context) {
        String command = null;
        String model = null;
        String tokenizer = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "-h", "--help", "-V", "--version", "help" -> {
                    return null;
                }
                case "--model", "--tokenizer" -> {
                    if (i + 1 == args.length) {
                        return null;
                    }
                    if (a.equals("--model")) {
                        model = args[++i];
                    } else {
                        tokenizer = args[++i];
                    }
                }
                default -> {
                    if (a.startsWith("--model=")) {
                        model = a.substring("--model=".length());
                    } else if (a.startsWith("--tokenizer=")) {
                        tokenizer = a.substring("--tokenizer=".length());
                    } else if (command == null && !a.startsWith("-")) {
                        command = a;
                    }
                }
            }
        }
        if (command == null || !MODEL_COMMANDS.contains(command)) {
            return null;
        }
        try {
            Path path = model != null ? Path.of(model) : context.demoModel();
            Path tokenizerFile = tokenizer != null ? Path.of(tokenizer) : null;
            if (Files.exists(path) && (tokenizerFile == null || Files.isRegularFile(tokenizerFile))) {
                return new Target(path, tokenizerFile);
            }
        } catch (InvalidPathException e) {
            // the parser will say what is wrong with the argument
        }
        return null;
    }
}
