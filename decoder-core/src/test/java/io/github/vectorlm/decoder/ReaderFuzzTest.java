package io.github.vectorlm.decoder;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.vectorlm.checkpoint.Checkpoint;
import io.github.vectorlm.checkpoint.CheckpointException;
import io.github.vectorlm.checkpoint.Checkpoints;
import io.github.vectorlm.checkpoint.UnsupportedCheckpointException;
import io.github.vectorlm.generation.BytePairEncoder;
import io.github.vectorlm.generation.TokenizerFileException;
import io.github.vectorlm.generation.Tokenizers;
import io.github.vectorlm.testing.MutationFuzzer;
import io.github.vectorlm.testing.MutationFuzzer.Report;
import io.github.vectorlm.tensor.Tensor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The mutation campaign over every reader (see {@link MutationFuzzer} for the mutations and the
 * contract): PyTorch zip and legacy files, safetensors, a sharded index, a TensorFlow bundle's
 * index and data, GGUF files, tokenizer files ({@code tokenizer.json}, {@code encoder.json}, {@code vocab.bpe})
 * and {@code config.json} through {@link ConfigReader}. The model modules fuzz their own config
 * readers (hparams.json, NeoX YAML) with the same harness. Seeds are the readers' committed
 * fixtures; each campaign prints its report, and the committed crashers under
 * {@code src/test/resources/fuzz-regressions} are replayed first.
 *
 * <p>{@code -Dvectorlm.fuzz.mutants=N} sets the mutants per format (default
 * {@value MutationFuzzer#DEFAULT_MUTANTS}); {@code ./mvnw -P fuzz-long -pl decoder-core -am verify}
 * runs 100,000; {@code -Dvectorlm.fuzz.formats=gguf} (a comma-separated list) runs only the
 * campaigns it names.
 */
class ReaderFuzzTest {
    private static final Path HOME = Path.of("..").toAbsolutePath().normalize();
    private static final Path CHECKPOINTS = HOME.resolve("checkpoint-io/src/test/resources");
    private static final Path TOKENIZERS = HOME.resolve("generation/src/test/resources/tokenizers");
    private static final Path REGRESSIONS = Path.of("src/test/resources/fuzz-regressions").toAbsolutePath();
    private static final List<Report> REPORTS = new ArrayList<>();

    @TempDir
    Path dir;

    /** Open, every tensor's bytes, the content printed and hashed (deep or cyclic content fails here), close. */
    static void readCheckpoint(Path file) throws IOException {
        try (Checkpoint ckpt = Checkpoints.open(file)) {
            for (String name : ckpt.tensorNames()) {
                ckpt.info(name);
                Tensor t;
                try {
                    t = ckpt.tensor(name);
                } catch (UnsupportedCheckpointException e) {
                    continue; // one tensor refused by name (a sliced TF variable): the rest still read
                }
                t.toFloatArray();
            }
            Object content = ckpt.content();
            String.valueOf(content).length();
            java.util.Objects.hashCode(content);
            ckpt.stringMetadata().size();
        }
    }

    /** Load, then encode and decode a text that meets byte-level BPE's corners. */
    static void readTokenizer(Path file) throws IOException {
        BytePairEncoder t = Tokenizers.load(file);
        int[] ids = t.encode("Hello, world! ab  ba\n\t<|endoftext|> é 日本 🙂");
        t.decode(ids);
    }

    /** Parse, check it is a mapping, read the usual settings typed. */
    static void readConfig(Path file) throws IOException {
        ConfigReader c = ConfigReader.of(file, ConfigReader.readJson(file));
        for (String key : List.of("n_layer", "num_hidden_layers", "n_embd", "hidden_size", "vocab_size", "n_head")) {
            c.intOr(key, 0);
        }
        c.doubleOr("layer_norm_epsilon", 1e-5);
        c.boolOr("tie_word_embeddings", true);
        c.stringOr("model_type", "");
    }

    record Campaign(String format, boolean namesFolder, Class<? extends Throwable> documented,
            MutationFuzzer.Reader reader, List<String> seeds) {
        @Override
        public String toString() {
            return format;
        }
    }

    static Stream<Campaign> campaigns() {
        return Stream.of(
                new Campaign("torch-zip", false, CheckpointException.class, ReaderFuzzTest::readCheckpoint,
                        List.of("torch/state_dict_zip.pt", "torch/nested_zip_p4.pt", "torch/views_zip.pt",
                                "torch/state_dict_deflated.pt", "torch/dtypes_big_endian.pt")),
                new Campaign("torch-legacy", false, CheckpointException.class, ReaderFuzzTest::readCheckpoint,
                        List.of("torch/state_dict_legacy.pt", "torch/views_legacy_p4.pt", "torch/nested_legacy_p2.pt")),
                new Campaign("safetensors", false, CheckpointException.class, ReaderFuzzTest::readCheckpoint,
                        List.of("safetensors/dtypes.safetensors", "safetensors/metadata.safetensors")),
                new Campaign("sharded-index", true, CheckpointException.class, ReaderFuzzTest::readCheckpoint,
                        List.of("safetensors/sharded/model.safetensors.index.json")),
                new Campaign("tf-index", true, CheckpointException.class, ReaderFuzzTest::readCheckpoint,
                        List.of("tf/basic/model.ckpt.index", "tf/sliced/model.ckpt.index")),
                new Campaign("tf-data", true, CheckpointException.class,
                        data -> readCheckpoint(data.resolveSibling("model.ckpt.index")),
                        List.of("tf/basic/model.ckpt.data-00000-of-00001")),
                new Campaign("gguf", false, CheckpointException.class, ReaderFuzzTest::readCheckpoint,
                        List.of("gguf/metadata_v3.gguf", "gguf/quantized.gguf", "gguf/layout_only.gguf")),
                new Campaign("tokenizer-json", false, TokenizerFileException.class, ReaderFuzzTest::readTokenizer,
                        List.of("@tokenizer.json")),
                new Campaign("encoder-json", true, TokenizerFileException.class, ReaderFuzzTest::readTokenizer,
                        List.of("@encoder.json")),
                new Campaign("vocab-bpe", true, TokenizerFileException.class, ReaderFuzzTest::readTokenizer,
                        List.of("@vocab.bpe")),
                new Campaign("config-json", false, CheckpointException.class, ReaderFuzzTest::readConfig,
                        List.of("@config.json")));
    }

    /** Copies a seed's folder (its shards, its partner file) into the temp folder; returns the seed's copy. */
    private Path seed(String seed) throws IOException {
        if (seed.startsWith("@")) {
            SmallSeeds.writeAll(dir);
            return dir.resolve(seed.substring(1));
        }
        Path source = CHECKPOINTS.resolve(seed);
        Path folder = dir.resolve(source.getParent().getFileName().toString());
        Files.createDirectories(folder);
        try (Stream<Path> files = Files.list(source.getParent())) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                Files.copy(f, folder.resolve(f.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
        return folder.resolve(source.getFileName());
    }

    /** The campaigns to run: all, or those {@code -Dvectorlm.fuzz.formats=gguf,safetensors} names. */
    static Stream<Campaign> selectedCampaigns() {
        String formats = System.getProperty("vectorlm.fuzz.formats", "").strip();
        Set<String> wanted = formats.isEmpty() ? Set.of() : Set.of(formats.split("\\s*,\\s*"));
        return campaigns().filter(c -> wanted.isEmpty() || wanted.contains(c.format()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("selectedCampaigns")
    void everyMutantReadsOrFailsAsDocumented(Campaign campaign) throws Exception {
        MutationFuzzer fuzzer = new MutationFuzzer(campaign.format(), campaign.namesFolder(), campaign.documented());
        int perSeed = Math.max(1, MutationFuzzer.mutantsPerSeed() / campaign.seeds().size());
        long seed = MutationFuzzer.campaignSeed();
        Map<String, Integer> outcomes = new LinkedHashMap<>();
        List<String> violations = new ArrayList<>();
        long longest = 0;
        long allocated = 0;
        for (String s : campaign.seeds()) {
            Path file = seed(s);
            campaign.reader().read(file); // the seed itself reads
            Report r = fuzzer.run(file, campaign.reader(), perSeed, seed);
            r.outcomes().forEach((k, v) -> outcomes.merge(k, v, Integer::sum));
            violations.addAll(r.violations());
            longest = Math.max(longest, r.longestMillis());
            allocated = Math.max(allocated, r.mostAllocatedBytes());
        }
        Report total = new Report(campaign.format(), seed, perSeed * campaign.seeds().size(), outcomes, longest,
                allocated, violations);
        synchronized (REPORTS) {
            REPORTS.add(total);
        }
        System.out.println("ReaderFuzzTest " + total.summary());
        assertThat(violations).as("contract violations").isEmpty();
        assertThat(outcomes.getOrDefault("ok", 0)).as("some mutants still read").isLessThan(total.mutants());
    }

    /** Every crasher the campaigns ever found, committed, read under the same contract. */
    @Test
    void committedCrashersStayFixed() throws IOException {
        Set<Path> crashers = new LinkedHashSet<>();
        if (Files.isDirectory(REGRESSIONS)) {
            try (Stream<Path> files = Files.walk(REGRESSIONS)) {
                files.filter(Files::isRegularFile).filter(f -> !f.getFileName().toString().equals("README.md"))
                        .sorted().forEach(crashers::add);
            }
        }
        assertThat(crashers).as("committed crashers in %s", REGRESSIONS).isNotEmpty();
        for (Path crasher : crashers) {
            String format = crasher.getParent().getFileName().toString();
            Campaign campaign = campaigns().filter(c -> c.format().equals(format)).findFirst().orElseThrow();
            // the crasher takes its seed's place, beside the seed's partner files
            Path place = seed(campaign.seeds().get(crasherSeedIndex(crasher)));
            Files.copy(crasher, place, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            try {
                campaign.reader().read(place);
            } catch (Throwable t) {
                assertThat(t).as("%s (%s)", crasher.getFileName(), t).isInstanceOf(campaign.documented());
                assertThat(t.getMessage()).as(crasher.getFileName().toString())
                        .contains(campaign.namesFolder() ? place.getParent().toString() : place.getFileName().toString());
            }
        }
    }

    /** Crashers are named {@code <seed index>-<anything>}: which of the campaign's seeds they replace. */
    private static int crasherSeedIndex(Path crasher) {
        String name = crasher.getFileName().toString();
        return Integer.parseInt(name.substring(0, name.indexOf('-')));
    }

    @AfterAll
    static void printReports() {
        REPORTS.forEach(r -> System.out.println("fuzz report | " + r.summary()));
    }

    /** Small valid tokenizer and config files, made here so that each mutant parses in well under a millisecond. */
    static final class SmallSeeds {
        private SmallSeeds() {
        }

        static void writeAll(Path dir) throws IOException {
            List<String> merges = Files.readAllLines(TOKENIZERS.resolve("vocab.bpe"), StandardCharsets.UTF_8)
                    .subList(1, 301);
            Map<String, Integer> vocab = new LinkedHashMap<>();
            for (int b = 0; b < 256; b++) {
                vocab.put(byteToUnicode(b), vocab.size());
            }
            for (String merge : merges) {
                vocab.putIfAbsent(merge.replace(" ", ""), vocab.size());
            }
            vocab.put("<|endoftext|>", vocab.size());
            StringBuilder encoder = new StringBuilder("{");
            vocab.forEach((token, id) -> encoder.append(encoder.length() > 1 ? ", " : "").append(quote(token))
                    .append(": ").append(id));
            Files.writeString(dir.resolve("encoder.json"), encoder.append('}').toString());
            Files.writeString(dir.resolve("vocab.bpe"), "#version: 0.2\n" + String.join("\n", merges) + "\n");
            StringBuilder mergeList = new StringBuilder("[");
            merges.forEach(m -> mergeList.append(mergeList.length() > 1 ? ", " : "").append(quote(m)));
            Files.writeString(dir.resolve("tokenizer.json"), """
                    {"version": "1.0",
                     "added_tokens": [{"id": %d, "content": "<|endoftext|>", "single_word": false, "lstrip": false,
                                       "rstrip": false, "normalized": false, "special": true}],
                     "normalizer": {"type": "Sequence", "normalizers": [{"type": "NFC"}]},
                     "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true},
                     "post_processor": {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": false},
                     "decoder": {"type": "ByteLevel", "add_prefix_space": true, "trim_offsets": true},
                     "model": {"type": "BPE", "dropout": null, "unk_token": null, "fuse_unk": false,
                               "vocab": %s, "merges": %s}}
                    """.formatted(vocab.get("<|endoftext|>"), encoder, mergeList.append(']')));
            Files.writeString(dir.resolve("config.json"), """
                    {"activation_function": "gelu_new", "architectures": ["GPT2LMHeadModel"], "attn_pdrop": 0.1,
                     "bos_token_id": 50256, "layer_norm_epsilon": 1e-05, "model_type": "gpt2", "n_ctx": 1024,
                     "n_embd": 768, "n_head": 12, "n_layer": 12, "n_positions": 1024, "tie_word_embeddings": true,
                     "task_specific_params": {"text-generation": {"do_sample": true, "max_length": 50}},
                     "vocab_size": 50257}
                    """);
        }

        /** GPT-2's byte-to-character table: printable latin-1 bytes are themselves, the rest 256 and up. */
        private static String byteToUnicode(int b) {
            if (b >= '!' && b <= '~' || b >= 0xa1 && b <= 0xac || b >= 0xae) {
                return String.valueOf((char) b);
            }
            int n = 0;
            for (int x = 0; x < b; x++) {
                if (!(x >= '!' && x <= '~' || x >= 0xa1 && x <= 0xac || x >= 0xae)) {
                    n++;
                }
            }
            return String.valueOf((char) (256 + n));
        }

        private static String quote(String s) {
            StringBuilder sb = new StringBuilder("\"");
            for (char c : s.toCharArray()) {
                if (c == '"' || c == '\\') {
                    sb.append('\\');
                }
                sb.append(c);
            }
            return sb.append('"').toString();
        }
    }
}
