package io.github.vectorlm.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The hint for a path that does not exist but is named like a model one can fetch: {@code gpt2}
 * (or {@code gpt2/model.ckpt.index}, {@code models/gpt2-medium}) before {@code vectorlm download}
 * ran, or a Pythia folder not yet fetched from the Hugging Face hub.
 */
final class MissingModelHint {
    private static final Pattern PYTHIA = Pattern.compile("pythia-[0-9.]+[mb](-deduped)?", Pattern.CASE_INSENSITIVE);

    private MissingModelHint() {
    }

    /** The hint for the missing {@code file}, or null when its name is no model one can fetch. */
    static String forMissing(String file) {
        Path path;
        try {
            path = Path.of(file);
        } catch (RuntimeException e) {
            return null;
        }
        Path prefix = null;
        for (Path element : path) {
            prefix = prefix == null ? element : prefix.resolve(element);
            if (path.isAbsolute()) {
                prefix = path.getRoot().resolve(prefix);
            }
            String name = element.toString();
            if (Files.exists(prefix)) {
                continue; // a model folder that is there: what is missing inside it is another matter
            }
            if (DownloadCommand.SIZES.containsKey(name.toLowerCase(Locale.ROOT))
                    || DownloadCommand.SIZES.containsKey(name.toUpperCase(Locale.ROOT))) {
                String to = prefix.toString().equals(name) ? "" : " --to " + prefix;
                return "run 'vectorlm download " + name + to + "' first (OpenAI's GPT-2 files)";
            }
            if (PYTHIA.matcher(name).matches()) {
                return "fetch EleutherAI/" + name.toLowerCase(Locale.ROOT) + " from the Hugging Face hub into " + prefix
                        + " first (config.json, model.safetensors, tokenizer.json)";
            }
        }
        return null;
    }
}
