package io.github.vectorlm.generation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** One tokenizer shared by threads gives each the same ids as a private one, while its cache fills and evicts. */
class TokenizerConcurrencyTest {
    @Test
    void sharedTokenizerAgreesWithPrivateOnes() throws Exception {
        long seed = 2718;
        System.out.println("TokenizerConcurrencyTest seed " + seed);
        SplittableRandom random = new SplittableRandom(seed);
        List<String> texts = new ArrayList<>();
        String letters = "abcdefghijklmnopqrstuvwxyzé中 ";
        for (int i = 0; i < 3000; i++) {
            StringBuilder b = new StringBuilder();
            for (int j = 0; j < 200; j++) {
                b.append(letters.charAt(random.nextInt(letters.length())));
            }
            texts.add(b.toString());
        }
        BytePairEncoder shared = Tokenizers.loadGpt2(TestFiles.gpt2Encoder(), TestFiles.gpt2Merges());
        BytePairEncoder reference = Tokenizers.loadGpt2(TestFiles.gpt2Encoder(), TestFiles.gpt2Merges());
        List<int[]> expected = texts.stream().map(reference::encode).toList();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int offset = t * 700;
                results.add(pool.submit(() -> {
                    int checked = 0;
                    for (int k = 0; k < texts.size(); k++) {
                        int i = (k + offset) % texts.size();
                        assertThat(shared.encode(texts.get(i))).isEqualTo(expected.get(i));
                        checked++;
                    }
                    return checked;
                }));
            }
            for (Future<Integer> r : results) {
                assertThat(r.get()).isEqualTo(texts.size());
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
