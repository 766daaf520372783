package io.github.vectorlm.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * The {@code vectorlm} command: its entry point and the options every subcommand shares.
 *
 * <p>Run it through the {@code ./vectorlm} launcher at the repository root, which finds JDK 25,
 * builds on first use and starts the JVM with the right flags; or from code with
 * {@link #execute(String[], PrintWriter, PrintWriter)}.
 */
@Command(name = "vectorlm",
        mixinStandardHelpOptions = true,
        versionProvider = VectorLm.Version.class,
        sortOptions = false,
        usageHelpAutoWidth = true,
        synopsisSubcommandLabel = "COMMAND",
        description = {
            "Runs GPT-2 and GPT-NeoX language models in pure Java (JDK Vector API, no native code), "
                    + "and reads, inspects and converts PyTorch, safetensors and TensorFlow checkpoints.",
            "",
            "With no --model, the model commands use the built-in demo model, "
                    + CliContext.DEMO_MODEL + " (a small GPT-2 trained on Shakespeare).",
            ""},
        footer = {
            "",
            "Examples:",
            "  vectorlm generate --prompt \"ROMEO:\"",
            "  vectorlm generate --prompt \"JULIET:\" --temperature 0 --max-new-tokens 20",
            "  vectorlm download gpt2",
            "  vectorlm generate --model gpt2 --prompt \"The meaning of life is\"",
            "  vectorlm score --text \"To be, or not to be\" --json",
            "  vectorlm tokenize --text \"Hello world\"",
            "  vectorlm inspect models/gpt2-shakespeare/ckpt.pt",
            "  vectorlm convert ckpt.pt model.safetensors",
            "  vectorlm export --model models/gpt2-shakespeare --to gguf shakespeare.gguf --quantize q8_0",
            "  vectorlm serve --port 8080",
            "",
            "Run 'vectorlm help COMMAND' (or COMMAND --help) for a command's options and more examples.",
            "Exit status: 0 on success, 1 when the command failed, 2 for a bad command line.",
            "Environment: VECTORLM_JAVA_OPTS adds JVM options to the launcher, e.g. -Xmx8g."})
public final class VectorLm implements java.util.concurrent.Callable<Integer> {
    /** Exit status of a command that failed. */
    static final int EXIT_FAILURE = 1;
    /** Exit status of a command line that could not be parsed. */
    static final int EXIT_USAGE = 2;

    /**
     * The subcommands, in the order the help lists them. They are added to the command line
     * programmatically: building picocli's model of a command costs reflection, and a run needs only
     * the one it executes (this saves a few hundred milliseconds of every cold start). Made by a
     * switch, not a map of constructor references: each lambda is a class spun at run time, which
     * the AOT cache does not hold.
     */
    private static final List<String> SUBCOMMANDS = List.of("generate", "score", "forward", "tokenize", "inspect",
            "convert", "export", "download", "bench", "serve", "preprocess", "merge-datasets", "help");

    private final CliContext context;

    @Spec
    private CommandSpec spec;

    @Option(names = "--verbose", scope = ScopeType.INHERIT,
            description = "Print details: timings, the seed used, and the stack trace of an error.")
    private boolean verbose;

    VectorLm(CliContext context) {
        this.context = context;
    }

    /** Starts the command with the process's arguments, and exits with its status. */
    public static void main(String[] args) {
        StartupClock.mainStarted();
        PrintWriter out = new PrintWriter(new OutputStreamWriter(new FileOutputStream(FileDescriptor.out), StandardCharsets.UTF_8));
        PrintWriter err = new PrintWriter(new OutputStreamWriter(new FileOutputStream(FileDescriptor.err), StandardCharsets.UTF_8));
        int status = execute(args, out, err, CliContext.fromSystem());
        out.flush();
        err.flush();
        System.exit(status);
    }

    /**
     * Runs the command line {@code args}, writing to {@code out} and {@code err} (UTF-8 text).
     *
     * @return the exit status: 0 on success, 1 when the command failed, 2 for a bad command line
     */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        return execute(args, out, err, CliContext.fromSystem());
    }

    static int execute(String[] args, PrintWriter out, PrintWriter err, CliContext context) {
        TokenizerPrefetch.start(args, context); // on the other core while the options are parsed
        VectorLm root = new VectorLm(context);
        CommandLine cl = new CommandLine(root);
        String named = firstWord(args);
        if (named != null && SUBCOMMANDS.contains(named) && !named.equals("help")) {
            cl.addSubcommand(named, subcommand(named));
        } else {
            for (String name : SUBCOMMANDS) {
                cl.addSubcommand(name, subcommand(name));
            }
        }
        cl.setOut(out);
        cl.setErr(err);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setExecutionExceptionHandler((e, command, parseResult) -> {
            out.flush();
            ErrorReport.of(e).print(err, e, root.verbose);
            return EXIT_FAILURE;
        });
        cl.setParameterExceptionHandler((e, badArgs) -> {
            CommandLine failed = e.getCommandLine();
            err.println("vectorlm: " + e.getMessage());
            CommandLine.UnmatchedArgumentException.printSuggestions(e, err);
            err.println("hint: see '" + failed.getCommandSpec().qualifiedName() + " --help'");
            err.flush();
            return EXIT_USAGE;
        });
        int status = cl.execute(args);
        out.flush();
        err.flush();
        return status;
    }

    private static Object subcommand(String name) {
        return switch (name) {
            case "generate" -> new GenerateCommand();
            case "score" -> new ScoreCommand();
            case "forward" -> new ForwardCommand();
            case "tokenize" -> new TokenizeCommand();
            case "inspect" -> new InspectCommand();
            case "convert" -> new ConvertCommand();
            case "export" -> new ExportCommand();
            case "download" -> new DownloadCommand();
            case "bench" -> new BenchCommand();
            case "serve" -> new ServeCommand();
            case "preprocess" -> new PreprocessCommand();
            case "merge-datasets" -> new MergeDatasetsCommand();
            case "help" -> new CommandLine.HelpCommand();
            default -> throw new IllegalArgumentException("no subcommand " + name);
        };
    }

    /** The first argument that is not an option (the subcommand's name, if one is given), or null. */
    private static String firstWord(String[] args) {
        for (String a : args) {
            if (!a.startsWith("-")) {
                return a;
            }
        }
        return null;
    }

    /** No command given: the usage, on stderr, and the usage exit status. */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return EXIT_USAGE;
    }

    CliContext context() {
        return context;
    }

    boolean verbose() {
        return verbose;
    }

    /** A progress display on this command's stderr. */
    ProgressDisplay progress() {
        return new ProgressDisplay(spec.commandLine().getErr(), context.stderrIsTerminal(), System::nanoTime);
    }

    /** The version from the jar's manifest (or "development build"). */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = VectorLm.class.getPackage().getImplementationVersion();
            return new String[] {"vectorlm " + (v == null ? "(development build)" : v),
                "Java " + Runtime.version() + " (" + System.getProperty("java.vm.name") + ")"};
        }
    }
}
