package io.github.vectorlm.generation;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The piece cache answers by a range of a text, evicts within its bound, and never gives another piece's ids. */
class PieceCacheTest {
    @Test
    void hitsByRangeAndNeverConfusesPieces() {
        PieceCache cache = new PieceCache(8);
        String text = "xx hello world hello";
        int h = PieceCache.hash(text, 3, 8);
        assertThat(cache.get(text, 3, 8, h)).isNull();
        cache.put(text, 3, 8, h, new int[] {42});
        // the same piece at another place of another string
        assertThat(cache.get("hello", 0, 5, PieceCache.hash("hello", 0, 5))).containsExactly(42);
        assertThat(cache.get(text, 15, 20, PieceCache.hash(text, 15, 20))).containsExactly(42);
        assertThat(cache.get(text, 9, 14, PieceCache.hash(text, 9, 14))).isNull();
        // many more pieces than slots: each answer is the piece's own ids or a miss
        for (int i = 0; i < 1000; i++) {
            String p = "p" + i;
            cache.put(p, 0, p.length(), PieceCache.hash(p, 0, p.length()), new int[] {i});
        }
        int hits = 0;
        for (int i = 0; i < 1000; i++) {
            String p = "p" + i;
            int[] ids = cache.get(p, 0, p.length(), PieceCache.hash(p, 0, p.length()));
            if (ids != null) {
                assertThat(ids).containsExactly(i);
                hits++;
            }
        }
        assertThat(hits).isBetween(1, 8);
    }

    @Test
    void encodeIntoAListAppendsWhatEncodeGives() throws Exception {
        BytePairEncoder tokenizer = Tokenizers.loadGpt2(TestFiles.gpt2Encoder(), TestFiles.gpt2Merges());
        IntList list = new IntList(1);
        list.add(7);
        String text = "Hello world, hello world!<|endoftext|> again";
        tokenizer.encode(text, list);
        int[] expected = tokenizer.encode(text);
        assertThat(list.size()).isEqualTo(expected.length + 1);
        assertThat(list.get(0)).isEqualTo(7);
        for (int i = 0; i < expected.length; i++) {
            assertThat(list.get(i + 1)).isEqualTo(expected[i]);
        }
        list.clear();
        tokenizer.encode(text, list);
        assertThat(list.toArray()).isEqualTo(expected);
    }
}
