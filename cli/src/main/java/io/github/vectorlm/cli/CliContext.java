package io.github.vectorlm.cli;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the commands need to know about where and how they run.
 *
 * @param home the VectorLM installation (the repository root), where the demo model lives
 * @param stderrIsTerminal whether stderr is a terminal (progress bars) or not (plain lines)
 */
record CliContext(Path home, boolean stderrIsTerminal) {
    /** Relative path of the built-in demo model inside {@link #home()}. */
    static final String DEMO_MODEL = "models/gpt2-shakespeare";

    /** The system property the launcher sets to the installation folder. */
    static final String HOME_PROPERTY = "vectorlm.home";

    /** The system property the launcher sets to "true" or "false" after testing stderr with {@code [ -t 2 ]}. */
    static final String STDERR_TTY_PROPERTY = "vectorlm.stderr.tty";

    /** The built-in demo model's folder. */
    Path demoModel() {
        return home.resolve(DEMO_MODEL);
    }

    /**
     * The context of this process: {@code vectorlm.home} if the launcher set it, else the folder
     * three levels above the CLI jar ({@code <home>/cli/target/x.jar}) if it holds the demo model,
     * else the working directory.
     */
    static CliContext fromSystem() {
        return new CliContext(findHome(), detectStderrTerminal());
    }

    private static Path findHome() {
        String property = System.getProperty(HOME_PROPERTY);
        if (property != null && !property.isBlank()) {
            return Path.of(property).toAbsolutePath();
        }
        try {
            var source = VectorLm.class.getProtectionDomain().getCodeSource();
            if (source != null) {
                Path jar = Path.of(source.getLocation().toURI()).toAbsolutePath();
                for (Path p = jar.getParent(); p != null; p = p.getParent()) {
                    if (Files.isDirectory(p.resolve(DEMO_MODEL))) {
                        return p;
                    }
                }
            }
        } catch (URISyntaxException | SecurityException | IllegalArgumentException e) {
            // fall through to the working directory
        }
        return Path.of("").toAbsolutePath();
    }

    private static boolean detectStderrTerminal() {
        String property = System.getProperty(STDERR_TTY_PROPERTY);
        if (property != null) {
            return Boolean.parseBoolean(property);
        }
        // Without the launcher: the console tells about stdin/stdout only, a fair guess for stderr.
        var console = System.console();
        return console != null && console.isTerminal();
    }
}
