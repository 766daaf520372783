package io.github.vectorlm.generation;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Streaming decode of texts whose characters GPT-2's tokens cut in the middle. */
class StreamingDecoderTest {
    private static Tokenizer gpt2;

    @BeforeAll
    static void load() throws IOException {
        gpt2 = Tokenizers.loadGpt2(TestFiles.gpt2Encoder(), TestFiles.gpt2Merges());
    }

    @Test
    void splitEmojiNeverComesOutHalfMade() {
        String text = "family \uD83D\uDC69\u200D\uD83D\uDC69\u200D\uD83D\uDC67\u200D\uD83D\uDC66 and \uD83D\uDC4D\uD83C\uDFFD ok 日本語";
        int[] ids = gpt2.encode(text);
        // the test means something only if some token ends inside a character
        int cut = 0;
        for (int id : ids) {
            if (gpt2.decode(new int[] {id}).contains("\ufffd")) {
                cut++;
            }
        }
        assertThat(cut).as("tokens that hold part of a character").isGreaterThan(3);

        Tokenizer.StreamingDecoder decoder = gpt2.streamingDecoder();
        List<String> pieces = new ArrayList<>();
        for (int id : ids) {
            pieces.add(decoder.next(id));
        }
        pieces.add(decoder.flush());
        for (String piece : pieces) {
            assertThat(piece).doesNotContain("\ufffd");
            if (!piece.isEmpty()) {
                assertThat(Character.isHighSurrogate(piece.charAt(piece.length() - 1))).as(piece).isFalse();
            }
        }
        assertThat(String.join("", pieces)).isEqualTo(text);
    }

    @Test
    void flushGivesReplacementForAnUnfinishedCharacterAndResets() {
        int[] ids = gpt2.encode("\uD83D\uDE00");
        assertThat(ids.length).isGreaterThan(1);
        Tokenizer.StreamingDecoder decoder = gpt2.streamingDecoder();
        assertThat(decoder.next(ids[0])).isEmpty();
        assertThat(decoder.flush()).isEqualTo("\ufffd");
        assertThat(decoder.next(gpt2.encode("x")[0])).isEqualTo("x");
    }
}
