package io.github.vectorlm.generation;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Encode throughput on a text file (not a test; run by hand):
 * {@code java -cp <test classpath> io.github.vectorlm.generation.TokenizerThroughput tinyshakespeare.txt [runs]}.
 * Prints MB/s (UTF-8 bytes of input per second) for a cold cache (a fresh tokenizer per run) and
 * a warm one (the same tokenizer again), for GPT-2 and NeoX.
 */
public final class TokenizerThroughput {
    private TokenizerThroughput() {
    }

    /** Runs the measurement. */
    public static void main(String[] args) throws IOException {
        String text = Files.readString(Path.of(args[0]));
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        double mb = text.getBytes(StandardCharsets.UTF_8).length / 1e6;
        for (String which : new String[] {"gpt2", "neox"}) {
            for (int run = 0; run < runs; run++) {
                Tokenizer t = load(which);
                long t0 = System.nanoTime();
                int n = t.encode(text).length;
                long t1 = System.nanoTime();
                t.encode(text);
                long t2 = System.nanoTime();
                System.out.printf("%s run %d: %d tokens, cold %.1f MB/s, warm %.1f MB/s%n", which, run, n,
                        mb / ((t1 - t0) / 1e9), mb / ((t2 - t1) / 1e9));
            }
        }
    }

    private static Tokenizer load(String which) throws IOException {
        return which.equals("gpt2")
                ? Tokenizers.loadGpt2(TestFiles.gpt2Encoder(), TestFiles.gpt2Merges())
                : Tokenizers.loadHuggingFace(TestFiles.neoxTokenizer());
    }
}
