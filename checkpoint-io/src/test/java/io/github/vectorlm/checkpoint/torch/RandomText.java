package io.github.vectorlm.checkpoint.torch;

import java.util.Random;

/** Random text with the characters names and keys meet (ASCII, Latin, CJK, emoji, quotes, NUL). */
final class RandomText {
    private RandomText() {
    }

    static String text(Random r, int min, int max) {
        int[] pool = {'a', 'Z', '0', '.', '/', '_', 'é', 'ß', '日', '本', 0x1f642, ' ', '"', '\\', '\n', 0};
        StringBuilder sb = new StringBuilder();
        int n = min + r.nextInt(max - min + 1);
        for (int i = 0; i < n; i++) {
            sb.appendCodePoint(r.nextInt(4) == 0 ? 0x20 + r.nextInt(0x5f) : pool[r.nextInt(pool.length)]);
        }
        return sb.toString();
    }
}
