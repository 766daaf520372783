package io.github.vectorlm.decoder;

import io.github.vectorlm.checkpoint.TensorInfo;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One checkpoint layout's weight names: a declarative table from checkpoint names to a model's
 * parameters, with each tensor's orientation and stored shape. This is the only place that knows
 * weight names; model code asks the table. {@link #check} compares a checkpoint with the table and
 * reports every missing, unknown, misshaped or non-float tensor at once.
 *
 * <pre>{@code
 * new WeightTable<>("Hugging Face", List.of("transformer.", ""), List.of(
 *         new WeightEntry<>(Parameter.TOKEN_EMBEDDING, "{p}wte.weight", Storage.ROWS, Dim.VOCAB, Dim.WIDTH),
 *         new WeightEntry<>(Parameter.NORM_1_WEIGHT, "{p}h.{layer}.ln_1.weight", Storage.VECTOR, Dim.WIDTH),
 *         ...),
 *         List.of("{p}h.{layer}.attn.bias"));   // buffers that may be present and are not weights
 * }</pre>
 *
 * @param <P> the model's parameter enum
 * @param description the layout's name in messages, e.g. {@code "Hugging Face"}
 * @param prefixes the values {@code {p}} may take, the usual first ({@code List.of("")} for none)
 * @param entries one entry per parameter
 * @param ignored templates of tensors that may be present and are not weights (mask buffers)
 */
public record WeightTable<P extends Enum<P> & ModelParameter>(String description, List<String> prefixes,
        List<WeightEntry<P>> entries, List<String> ignored) {

    private static final String LAYER = "{layer}";

    /** Copies the lists. */
    public WeightTable {
        prefixes = List.copyOf(prefixes);
        entries = List.copyOf(entries);
        ignored = List.copyOf(ignored);
        if (prefixes.isEmpty()) {
            throw new IllegalArgumentException(description + ": no prefixes (List.of(\"\") for none)");
        }
    }

    /**
     * The entry for {@code parameter}.
     *
     * @param parameter a parameter of this table
     * @return its entry
     * @throws IllegalArgumentException if the table has none
     */
    public WeightEntry<P> entry(P parameter) {
        for (WeightEntry<P> e : entries) {
            if (e.parameter() == parameter) {
                return e;
            }
        }
        throw new IllegalArgumentException(description + " layout has no " + parameter);
    }

    /**
     * The value of {@code {p}} the names use: the prefix under which most names are known to this
     * table (the first prefix on a tie, and when none matches).
     *
     * @param names the checkpoint's names
     * @return one of {@link #prefixes()}
     */
    public String detectPrefix(Collection<String> names) {
        String best = prefixes.get(0);
        int bestCount = -1;
        for (String prefix : prefixes) {
            List<Pattern> patterns = patterns(prefix);
            int count = 0;
            for (String n : names) {
                if (matchesAny(patterns, n)) {
                    count++;
                }
            }
            if (count > bestCount) {
                best = prefix;
                bestCount = count;
            }
        }
        return best;
    }

    /**
     * Whether {@code name} is one of the {@link #ignored()} tensors under {@code prefix}.
     *
     * @param name a checkpoint name
     * @param prefix the value of {@code {p}}
     * @return whether it is ignored
     */
    public boolean isIgnored(String name, String prefix) {
        for (String t : ignored) {
            if (pattern(t, prefix).matcher(name).matches()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Checks {@code state} against this table for a model of {@code shape}, and gives the
     * checkpoint name of every parameter found. Nothing is read but metadata.
     *
     * @param state the checkpoint's tensors
     * @param shape the model's sizes (its {@code layers()} layers are expected)
     * @param presence whether the config has each parameter
     * @param model the model's name in messages, e.g. {@code "GPT-2"}
     * @param config the config in messages, e.g. {@code "n_layer 12, n_embd 768, ..."}
     * @return the checkpoint name of each parameter present (per layer: {@link WeightKey#of})
     * @throws WeightMappingException listing every missing, unknown, misshaped or non-float tensor
     */
    public Map<WeightKey<P>, String> check(StateDict state, DecoderShape shape, Function<P, Presence> presence,
            String model, String config) throws WeightMappingException {
        String prefix = detectPrefix(state.keys());
        List<String> problems = new ArrayList<>();
        Set<String> known = new HashSet<>();
        Map<WeightKey<P>, String> names = new LinkedHashMap<>();
        for (WeightEntry<P> e : entries) {
            P p = e.parameter();
            Presence wanted = presence.apply(p);
            long[] expected = e.expectedShape(shape);
            int count = p.perLayer() ? shape.layers() : 1;
            for (int l = 0; l < count; l++) {
                List<String> candidates = e.names(prefix, l);
                List<String> present = new ArrayList<>();
                for (String n : candidates) {
                    if (state.contains(n)) {
                        present.add(n);
                        known.add(n);
                    }
                }
                if (present.isEmpty()) {
                    if (wanted.kind() == Presence.Kind.REQUIRED) {
                        problems.add("missing " + WeightChecks.quoteAll(candidates, "or") + ", expected shape "
                                + Arrays.toString(expected));
                    }
                    continue;
                }
                if (present.size() > 1) {
                    problems.add("both " + WeightChecks.quoteAll(present, "and") + " are present; expected one of them");
                }
                String name = present.get(0);
                TensorInfo info = state.info(name);
                if (wanted.kind() == Presence.Kind.ABSENT) {
                    problems.add("unexpected '" + name + "' " + info.dtype() + info.shape() + ": " + wanted.reason());
                    continue;
                }
                WeightChecks.checkShapeAndType(problems, "'" + name + "'", info.dtype(), info.shape(), expected);
                names.put(WeightKey.of(p, l), name);
            }
        }
        for (String name : state.keys()) {
            if (!known.contains(name) && !isIgnored(name, prefix)) {
                TensorInfo info = state.info(name);
                int layer = layerOf(name, prefix);
                problems.add("unexpected '" + name + "' " + info.dtype() + info.shape()
                        + (layer >= shape.layers() ? ": the config has " + shape.layers() + " layers" : ""));
            }
        }
        if (!problems.isEmpty()) {
            throw new WeightMappingException(state.path(), description + " " + model + " weights"
                    + (prefix.isEmpty() ? "" : " (names prefixed '" + prefix + "')") + " for " + config, problems);
        }
        return names;
    }

    /** The layer number in {@code name} if it matches a per-layer template of this table, else -1. */
    private int layerOf(String name, String prefix) {
        for (WeightEntry<P> e : entries) {
            for (String t : e.templates()) {
                if (t.contains(LAYER)) {
                    Matcher m = pattern(t, prefix).matcher(name);
                    if (m.matches()) {
                        return Integer.parseInt(m.group(1));
                    }
                }
            }
        }
        return -1;
    }

    private List<Pattern> patterns(String prefix) {
        List<Pattern> out = new ArrayList<>();
        for (WeightEntry<P> e : entries) {
            for (String t : e.templates()) {
                out.add(pattern(t, prefix));
            }
        }
        for (String t : ignored) {
            out.add(pattern(t, prefix));
        }
        return out;
    }

    private static boolean matchesAny(List<Pattern> patterns, String name) {
        for (Pattern p : patterns) {
            if (p.matcher(name).matches()) {
                return true;
            }
        }
        return false;
    }

    /** A template as a regex: {@code {layer}} matches any layer number (group 1). */
    private static Pattern pattern(String template, String prefix) {
        String filled = template.replace("{p}", prefix);
        StringBuilder regex = new StringBuilder();
        int at = 0;
        for (int i = filled.indexOf(LAYER); i >= 0; i = filled.indexOf(LAYER, at)) {
            regex.append(Pattern.quote(filled.substring(at, i))).append("(0|[1-9][0-9]*)");
            at = i + LAYER.length();
        }
        regex.append(Pattern.quote(filled.substring(at)));
        return Pattern.compile(regex.toString());
    }
}
