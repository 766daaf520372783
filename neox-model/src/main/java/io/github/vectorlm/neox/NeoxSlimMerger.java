package io.github.vectorlm.neox;

import io.github.vectorlm.checkpoint.Checkpoint;
import io.github.vectorlm.checkpoint.CheckpointException;
import io.github.vectorlm.checkpoint.Checkpoints;
import io.github.vectorlm.checkpoint.CorruptCheckpointException;
import io.github.vectorlm.checkpoint.TensorInfo;
import io.github.vectorlm.decoder.WeightKey;
import io.github.vectorlm.decoder.WeightMappingException;
import io.github.vectorlm.generation.ProgressListener;
import io.github.vectorlm.neox.NeoxWeightLayout.Parameter;
import io.github.vectorlm.neox.NeoxWeightLayout.SlimEntry;
import io.github.vectorlm.neox.NeoxWeightLayout.Stage;
import io.github.vectorlm.tensor.Shape;
import io.github.vectorlm.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntPredicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads GPT-NeoX's own checkpoint layout, the "slim weights" the 20B was released in, and merges
 * its tensor-parallel partitions into whole tensors.
 *
 * <p>The layout: a folder holding {@code latest} (a text file naming the step folder, e.g.
 * {@code global_step150000}) and that folder, which holds one {@code torch.save}d dict of
 * parameters per pipeline layer and tensor-parallel partition:
 * {@code layer_NN-model_PP-model_states.pt}. Pipeline layer 0 is the embedding
 * ({@code word_embeddings.weight}), transformer layer i is pipeline layer i + 2, the final norm
 * ({@code norm.weight}, {@code norm.bias}) is n_layers + 3 and the output projection
 * ({@code final_linear.weight}) n_layers + 4 (47 and 48 for the 44-layer 20B). DeepSpeed's
 * {@code mp_rank_PP_model_states.pt} files (optimizer bookkeeping) are ignored.
 *
 * <p>Partitions merge by four rules ({@link NeoxWeightLayout#SLIM} says which applies to
 * which tensor): concatenation along dim 0 (column-parallel weights and their biases, the
 * embedding, the head), along dim 1 (row-parallel weights), summation (row-parallel biases: each
 * partition holds a share), and duplication (LayerNorms: every partition holds the whole; they must
 * agree — for each partition p, Σ (x_p − x_0)² over the tensor below {@value #DUPLICATE_TOLERANCE} —
 * and their mean is used, else the tensor is refused by name). Any number of partitions; dtypes as
 * stored (f16 for the 20B), sums and means taken in f32 and rounded back.
 *
 * <p><b>The merged copy.</b> A merged tensor is split across files, so it cannot be a view of one
 * mapping: this is the one place VectorLM copies weights instead of using them in place. The
 * merge streams, one pipeline layer at a time: its partition files are mapped, merged into fresh
 * allocations of the caller's arena, and unmapped before the next layer is opened, so the process
 * holds the merged model plus one layer's partitions, never two whole copies. A layer filter
 * merges only some transformer layers (the embedding, final norm and head always), for smoke
 * tests of checkpoints larger than memory.
 */
public final class NeoxSlimMerger {
    /** The largest Σ (x_p − x_0)² for which the partitions of a duplicated tensor count as equal. */
    public static final double DUPLICATE_TOLERANCE = 1e-4;

    private static final Pattern LAYER_FILE = Pattern.compile("layer_([0-9]+)-model_([0-9]+)-model_states\\.pt");
    private static final Pattern STEP_NAME = Pattern.compile("[A-Za-z0-9_.-]+");

    private final Path root;
    private final Path stepFolder;
    private final int partitions;
    /** Pipeline index → its partition files, partition 0 first. */
    private final Map<Integer, List<Path>> files;

    private NeoxSlimMerger(Path root, Path stepFolder, int partitions, Map<Integer, List<Path>> files) {
        this.root = root;
        this.stepFolder = stepFolder;
        this.partitions = partitions;
        this.files = files;
    }

    /**
     * Whether {@code path} is a slim-weights folder: one holding {@code latest}, or a step folder
     * holding {@code layer_00-model_00-model_states.pt}. Looks at names only.
     *
     * @param path a folder
     * @return whether it holds slim weights
     */
    public static boolean isSlimFolder(Path path) {
        return Files.isDirectory(path) && (Files.isRegularFile(path.resolve("latest"))
                || Files.isRegularFile(path.resolve("layer_00-model_00-model_states.pt")));
    }

    /**
     * Finds the step folder and its partition files, without opening them.
     *
     * @param path the folder holding {@code latest}, or the step folder itself
     * @return the merger for those files
     * @throws IOException if a folder cannot be listed
     * @throws CheckpointException if {@code latest} is unusable, the step folder is missing, or a
     *     pipeline layer lacks some of the partitions the others have
     */
    public static NeoxSlimMerger open(Path path) throws IOException {
        Path root;
        Path step;
        Path latest = path.resolve("latest");
        if (Files.isRegularFile(latest)) {
            String name = new String(Files.readAllBytes(latest), StandardCharsets.UTF_8).trim();
            if (!STEP_NAME.matcher(name).matches() || name.equals(".") || name.equals("..")) {
                throw new CorruptCheckpointException(latest, null, "should name a step folder beside it "
                        + "(like global_step150000), holds '" + name + "'");
            }
            root = path;
            step = path.resolve(name);
            if (!Files.isDirectory(step)) {
                throw new NoSuchFileException(step.toString(), null, "the step folder named by " + latest);
            }
        } else if (Files.isDirectory(path)) {
            step = path;
            root = path.toAbsolutePath().getParent() != null ? path.toAbsolutePath().getParent() : path;
        } else {
            throw new NoSuchFileException(path.toString());
        }
        Map<Integer, TreeMap<Integer, Path>> found = new TreeMap<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(step)) {
            for (Path f : dir) {
                Matcher m = LAYER_FILE.matcher(f.getFileName().toString());
                if (m.matches()) {
                    found.computeIfAbsent(Integer.parseInt(m.group(1)), k -> new TreeMap<>())
                            .put(Integer.parseInt(m.group(2)), f);
                }
            }
        }
        if (found.isEmpty()) {
            throw new CorruptCheckpointException(step, null, "holds no layer_NN-model_PP-model_states.pt files");
        }
        int parts = 0;
        for (TreeMap<Integer, Path> p : found.values()) {
            parts = Math.max(parts, p.lastKey() + 1);
        }
        List<String> problems = new ArrayList<>();
        Map<Integer, List<Path>> files = new TreeMap<>();
        for (Map.Entry<Integer, TreeMap<Integer, Path>> e : found.entrySet()) {
            List<Path> list = new ArrayList<>();
            for (int p = 0; p < parts; p++) {
                Path f = e.getValue().get(p);
                if (f == null) {
                    problems.add("missing " + fileName(e.getKey(), p) + " (other pipeline layers have " + parts
                            + " partitions)");
                }
                list.add(f);
            }
            if (!list.contains(null)) {
                files.put(e.getKey(), List.copyOf(list));
            }
        }
        if (!problems.isEmpty()) {
            throw new WeightMappingException(step, "GPT-NeoX slim weights", problems);
        }
        return new NeoxSlimMerger(root, step, parts, files);
    }

    private static String fileName(int pipelineIndex, int partition) {
        return String.format("layer_%02d-model_%02d-model_states.pt", pipelineIndex, partition);
    }

    /**
     * The folder holding {@code latest}, where the config and tokenizer are looked for.
     *
     * @return the folder
     */
    public Path root() {
        return root;
    }

    /**
     * The step folder holding the partition files.
     *
     * @return the folder
     */
    public Path stepFolder() {
        return stepFolder;
    }

    /**
     * Tensor-parallel partitions per pipeline layer.
     *
     * @return the count
     */
    public int partitions() {
        return partitions;
    }

    /**
     * The vocabulary size: the rows of {@code word_embeddings.weight} summed over its partitions
     * (the YAML does not say it: NeoX pads the tokenizer's vocabulary when it builds the model).
     *
     * @return the vocabulary size
     * @throws IOException if the embedding's partitions cannot be read
     */
    public int vocabSize() throws IOException {
        List<Path> embedding = files.get(0);
        if (embedding == null) {
            throw new CorruptCheckpointException(stepFolder, null, "has no " + fileName(0, 0)
                    + " (pipeline layer 0, the embedding)");
        }
        String name = NeoxWeightLayout.slimEntries(Stage.EMBEDDING).get(0).name();
        long rows = 0;
        for (Path f : embedding) {
            try (Checkpoint c = Checkpoints.open(f)) {
                if (!c.contains(name)) {
                    throw new CorruptCheckpointException(f, name, "is missing");
                }
                TensorInfo info = c.info(name);
                if (info.shape().rank() != 2) {
                    throw new CorruptCheckpointException(f, name, "has shape " + info.shape() + ", expected 2-D");
                }
                rows += info.shape().dim(0);
            }
        }
        if (rows > Integer.MAX_VALUE) {
            throw new CorruptCheckpointException(stepFolder, name, "has " + rows + " rows in all");
        }
        return (int) rows;
    }

    /**
     * The config file of the checkpoint: {@code explicit} if given, else the one {@code .yml} (or
     * {@code .yaml}) file beside {@code latest} or in a {@code configs/} folder beside it (the
     * layout of the NeoX repository and of the 20B download), else in the step folder's
     * {@code configs/} (where NeoX's own checkpointing writes copies).
     *
     * @param explicit the config file given by the user, or null
     * @return the YAML file
     * @throws IOException if a folder cannot be listed
     * @throws CheckpointException if there is none, or several could serve (listing them)
     */
    public Path findConfig(Path explicit) throws IOException {
        if (explicit != null) {
            if (!Files.isRegularFile(explicit)) {
                throw new NoSuchFileException(explicit.toString(), null, "the config file given");
            }
            return explicit;
        }
        List<Path> candidates = new ArrayList<>();
        addYaml(candidates, root);
        addYaml(candidates, root.resolve("configs"));
        if (candidates.isEmpty()) {
            addYaml(candidates, stepFolder.resolve("configs"));
        }
        if (candidates.size() == 1) {
            return candidates.get(0);
        }
        if (candidates.isEmpty()) {
            throw new CheckpointException(root, null, "no GPT-NeoX YAML config found beside 'latest', in configs/ "
                    + "or in " + root.relativize(stepFolder) + "/configs/; name it with the config option (--config)");
        }
        throw new CheckpointException(root, null, "several YAML files could be the config: " + candidates
                + "; name one with the config option (--config)");
    }

    private static void addYaml(List<Path> out, Path folder) throws IOException {
        if (!Files.isDirectory(folder)) {
            return;
        }
        List<Path> found = new ArrayList<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(folder)) {
            for (Path f : dir) {
                String n = f.getFileName().toString();
                if ((n.endsWith(".yml") || n.endsWith(".yaml")) && Files.isRegularFile(f)) {
                    found.add(f);
                }
            }
        }
        found.sort(null);
        out.addAll(found);
    }

    /**
     * The model's config: the YAML {@link #findConfig} finds (or {@code explicitYaml}), with the
     * vocabulary size read from the embedding's partitions.
     *
     * @param explicitYaml the config file given by the user, or null
     * @return the config
     * @throws IOException if a file cannot be read, or the config is refused
     */
    public NeoxConfig readConfig(Path explicitYaml) throws IOException {
        return NeoxConfig.fromNeoxYaml(findConfig(explicitYaml), vocabSize());
    }

    /**
     * Merges the checkpoint (as {@link NeoxLoader} does) and names the merged tensors as Hugging
     * Face's {@code GPTNeoXForCausalLM} does, the head {@code embed_out.weight} (absent when tied):
     * for instance to write a safetensors copy that loads without merging.
     *
     * @param config the model's config ({@link #readConfig})
     * @param loadLayer the transformer layers to merge (null: all)
     * @param progress told after each pipeline layer
     * @param arena receives the merged tensors; they live until it is closed
     * @return the merged tensors by Hugging Face name, in model order
     * @throws IOException if a file cannot be read
     * @throws WeightMappingException as {@link NeoxLoader#load} does
     */
    public Map<String, Tensor> mergeToHuggingFaceNames(NeoxConfig config, IntPredicate loadLayer,
            ProgressListener progress, Arena arena) throws IOException {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<WeightKey<Parameter>, Tensor> e : merge(config, loadLayer, progress, arena).entrySet()) {
            var hf = NeoxWeightLayout.HUGGING_FACE.entry(e.getKey().parameter());
            out.put(hf.names("", e.getKey().layer()).get(0), e.getValue());
        }
        return out;
    }

    /**
     * Checks every partition file the merge will read against {@code config}, then merges them,
     * one pipeline layer at a time, into allocations of {@code arena}.
     *
     * @param loadLayer the transformer layers to merge (null: all)
     * @param progress told after each pipeline layer
     * @return every merged parameter
     * @throws WeightMappingException listing every missing, unknown or misshaped tensor and partition
     *     mismatch, or naming a duplicated tensor whose partitions disagree
     */
    Map<WeightKey<Parameter>, Tensor> merge(NeoxConfig config, IntPredicate loadLayer, ProgressListener progress,
            Arena arena) throws IOException {
        List<Stage> stages = new ArrayList<>();
        List<Integer> layerOfStage = new ArrayList<>();
        plan(config, loadLayer, stages, layerOfStage);
        check(config, stages, layerOfStage);

        String task = "merging GPT-NeoX slim weights (" + partitions + " partitions)";
        Map<WeightKey<Parameter>, Tensor> merged = new LinkedHashMap<>();
        progress.progress(task, 0, stages.size());
        for (int s = 0; s < stages.size(); s++) {
            merged.putAll(mergeStage(config, stages.get(s), layerOfStage.get(s), arena));
            progress.progress(task, s + 1, stages.size());
        }
        return merged;
    }

    /**
     * Checks every partition file a whole-model merge reads against {@code config} (as
     * {@link #merge} does first), without merging.
     *
     * @throws WeightMappingException listing every problem
     */
    void checkAll(NeoxConfig config) throws IOException {
        List<Stage> stages = new ArrayList<>();
        List<Integer> layerOfStage = new ArrayList<>();
        plan(config, null, stages, layerOfStage);
        check(config, stages, layerOfStage);
    }

    /**
     * The pipeline stages a merge reads, in order, into {@code stages}, with each one's layer (-1
     * for the embedding, the final norm and an untied head) into {@code layerOfStage}; the layers
     * {@code loadLayer} accepts, or all when it is null.
     */
    private static void plan(NeoxConfig config, IntPredicate loadLayer, List<Stage> stages, List<Integer> layerOfStage) {
        stages.add(Stage.EMBEDDING);
        layerOfStage.add(-1);
        for (int l = 0; l < config.layers(); l++) {
            if (loadLayer == null || loadLayer.test(l)) {
                stages.add(Stage.LAYER);
                layerOfStage.add(l);
            }
        }
        stages.add(Stage.FINAL_NORM);
        layerOfStage.add(-1);
        if (!config.tiedEmbeddings()) {
            stages.add(Stage.HEAD);
            layerOfStage.add(-1);
        }
    }

    /**
     * Merges one pipeline layer's partitions into allocations of {@code arena}; the files are
     * mapped only while it runs. The files must have been checked ({@link #checkAll} or {@link #merge}).
     *
     * @param stage which kind of pipeline layer
     * @param layer the transformer layer of a {@link Stage#LAYER} stage (else ignored)
     * @return the stage's merged parameters, in table order
     */
    Map<WeightKey<Parameter>, Tensor> mergeStage(NeoxConfig config, Stage stage, int layer, Arena arena)
            throws IOException {
        Map<WeightKey<Parameter>, Tensor> merged = new LinkedHashMap<>();
        List<Path> parts = files.get(stage.pipelineIndex(layer, config.layers()));
        List<Checkpoint> open = new ArrayList<>(parts.size());
        try {
            for (Path f : parts) {
                open.add(Checkpoints.open(f));
            }
            for (SlimEntry e : NeoxWeightLayout.slimEntries(stage)) {
                if (!e.parameter().expected(config)) {
                    continue;
                }
                String name = e.name();
                List<Tensor> pieces = new ArrayList<>(open.size());
                for (Checkpoint c : open) {
                    pieces.add(c.tensor(name));
                }
                merged.put(WeightKey.of(e.parameter(), stage == Stage.LAYER ? layer : -1), SlimPartitions.merge(
                        e.merge(), name, parts, pieces, Shape.of(e.expectedShape(config.shape())), arena));
            }
        } finally {
            for (Checkpoint c : open) {
                c.close();
            }
        }
        return merged;
    }

    /** Validates the metadata of every file the merge will read; reports all problems at once. */
    private void check(NeoxConfig config, List<Stage> stages, List<Integer> layerOfStage) throws IOException {
        List<String> problems = new ArrayList<>();
        for (int s = 0; s < stages.size(); s++) {
            Stage stage = stages.get(s);
            int index = stage.pipelineIndex(layerOfStage.get(s), config.layers());
            List<Path> parts = files.get(index);
            if (parts == null) {
                problems.add("missing " + fileName(index, 0) + " (pipeline layer " + index + ": " + describe(stage,
                        layerOfStage.get(s)) + ")");
                continue;
            }
            List<Map<String, TensorInfo>> infos = new ArrayList<>();
            for (Path f : parts) {
                Map<String, TensorInfo> m = new LinkedHashMap<>();
                try (Checkpoint c = Checkpoints.open(f)) {
                    for (String n : c.tensorNames()) {
                        m.put(n, c.info(n));
                    }
                }
                infos.add(m);
            }
            List<SlimEntry> entries = NeoxWeightLayout.slimEntries(stage);
            for (int p = 0; p < parts.size(); p++) {
                for (Map.Entry<String, TensorInfo> t : infos.get(p).entrySet()) {
                    boolean known = false;
                    for (SlimEntry e : entries) {
                        known |= e.name().equals(t.getKey()) && e.parameter().expected(config);
                    }
                    if (!known && !NeoxWeightLayout.SLIM_IGNORED.contains(t.getKey())) {
                        problems.add(parts.get(p).getFileName() + ": unexpected '" + t.getKey() + "' "
                                + t.getValue().dtype() + t.getValue().shape());
                    }
                }
            }
            for (SlimEntry e : entries) {
                if (e.parameter().expected(config)) {
                    SlimPartitions.check(problems, e, parts, infos, e.expectedShape(config.shape()));
                }
            }
        }
        for (Integer index : files.keySet()) {
            boolean used = index == 0 || (index >= 2 && index < config.layers() + 2) || index == config.layers() + 3
                    || (index == config.layers() + 4);
            if (!used) {
                problems.add("unexpected " + fileName(index, 0) + ": pipeline layer " + index + " is none of a "
                        + config.layers() + "-layer model's");
            }
        }
        if (!problems.isEmpty()) {
            throw new WeightMappingException(stepFolder, NeoxWeightLayout.SLIM_DESCRIPTION + " weights (" + partitions
                    + " partitions) for " + config.summary(), problems);
        }
    }

    private static String describe(Stage stage, int layer) {
        return switch (stage) {
            case EMBEDDING -> "the embedding";
            case LAYER -> "transformer layer " + layer;
            case FINAL_NORM -> "the final norm";
            case HEAD -> "the output projection";
        };
    }

    @Override
    public String toString() {
        return "NeoxSlimMerger[" + stepFolder + ", " + partitions + " partitions, " + files.size()
                + " pipeline layers]";
    }
}
