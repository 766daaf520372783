package io.github.vectorlm.generation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HexFormat;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Lossy UTF-8 decoding and the streaming decoder's hold-back. */
class Utf8Test {
    /**
     * Expected strings from Python 3.11: {@code bytes.fromhex(h).decode("utf-8", "replace")}, which
     * substitutes maximal subparts exactly as Rust's {@code from_utf8_lossy} (Hugging Face) does.
     */
    @Test
    void decodeReplacesMaximalSubpartsLikePythonAndRust() {
        check("f09f98", "\ufffd");
        check("e282", "\ufffd");
        check("c0af", "\ufffd\ufffd");
        check("eda080", "\ufffd\ufffd\ufffd"); // the JDK's decoder gives a single U+FFFD here
        check("f4908080", "\ufffd\ufffd\ufffd\ufffd");
        check("ff41", "\ufffd" + "A");
        check("e0809f41", "\ufffd\ufffd\ufffd" + "A");
        check("f0f09f9880", "\ufffd\uD83D\uDE00");
        check("80808041", "\ufffd\ufffd\ufffd" + "A");
        check("c2", "\ufffd");
        check("f880808080", "\ufffd\ufffd\ufffd\ufffd\ufffd");
        check("e1a0c0", "\ufffd\ufffd");
        check("41e282ac42", "A\u20acB");
        check("f4808080", "\uDBC0\uDC00"); // U+100000, valid
    }

    @Test
    void encodeWritesUnpairedSurrogatesAsReplacementCharacter() {
        assertThat(HexFormat.of().formatHex(Utf8.encode("a\uD800b"))).isEqualTo("61efbfbd62");
        assertThat(HexFormat.of().formatHex(Utf8.encode("\uDC00"))).isEqualTo("efbfbd");
        assertThat(HexFormat.of().formatHex(Utf8.encode("\uD83D\uDE00\u00e9"))).isEqualTo("f09f9880c3a9");
    }

    /** Streaming random bytes in random chunks gives the whole decoding, and never a piece ending in half a character. */
    @Test
    void streamingEqualsWholeDecodingOnRandomBytes() {
        long seed = 77L;
        System.out.println("Utf8Test seed " + seed);
        SplittableRandom random = new SplittableRandom(seed);
        byte[][] chunks = {
            HexFormat.of().parseHex("f0"), HexFormat.of().parseHex("9f"), HexFormat.of().parseHex("98"),
            HexFormat.of().parseHex("80"), HexFormat.of().parseHex("e2"), HexFormat.of().parseHex("82ac"),
            HexFormat.of().parseHex("41"), HexFormat.of().parseHex("c3"), HexFormat.of().parseHex("a9"),
            HexFormat.of().parseHex("ed"), HexFormat.of().parseHex("a0"), HexFormat.of().parseHex("ff"),
            HexFormat.of().parseHex("f4"), HexFormat.of().parseHex("8f"), HexFormat.of().parseHex("bf"),
            HexFormat.of().parseHex("e0"), HexFormat.of().parseHex("c2"), HexFormat.of().parseHex("f09f91"),
        };
        for (int trial = 0; trial < 20_000; trial++) {
            int n = 1 + random.nextInt(10);
            int[] ids = new int[n];
            java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
            for (int i = 0; i < n; i++) {
                ids[i] = random.nextInt(chunks.length);
                all.writeBytes(chunks[ids[i]]);
            }
            Utf8StreamingDecoder decoder = new Utf8StreamingDecoder(id -> chunks[id]);
            StringBuilder streamed = new StringBuilder();
            for (int id : ids) {
                String piece = decoder.next(id);
                if (!piece.isEmpty()) {
                    assertThat(Character.isHighSurrogate(piece.charAt(piece.length() - 1))).isFalse();
                }
                streamed.append(piece);
            }
            streamed.append(decoder.flush());
            byte[] bytes = all.toByteArray();
            assertThat(streamed.toString()).as("trial %d, bytes %s", trial, HexFormat.of().formatHex(bytes))
                    .isEqualTo(Utf8.decode(bytes));
        }
    }

    private static void check(String hex, String expected) {
        assertThat(Utf8.decode(HexFormat.of().parseHex(hex))).as(hex).isEqualTo(expected);
    }
}
