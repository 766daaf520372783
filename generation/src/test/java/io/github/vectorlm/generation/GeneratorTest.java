package io.github.vectorlm.generation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The generation loop on a fake model that follows a script: at position p it predicts script[p]. */
class GeneratorTest {
    private static final int VOCAB = 50257;
    private static Tokenizer gpt2;

    @BeforeAll
    static void load() throws IOException {
        gpt2 = Tokenizers.loadGpt2(TestFiles.gpt2Encoder(), TestFiles.gpt2Merges());
    }

    /** A model whose logits after position p put 10 on script[p + 1] and 0 elsewhere. */
    private static FakeModel scripted(int[] script, int context) {
        return new FakeModel(VOCAB, context, gpt2, (tokens, position, out, offset) -> {
            Arrays.fill(out, offset, offset + VOCAB, 0f);
            if (position + 1 < script.length) {
                out[offset + script[position + 1]] = 10f;
            }
        });
    }

    private static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** Collects what a listener receives. */
    private static final class Recorder implements TokenListener {
        final List<Integer> ids = new ArrayList<>();
        final StringBuilder text = new StringBuilder();
        final List<String> pieces = new ArrayList<>();

        @Override
        public void onToken(int id, String piece) {
            ids.add(id);
            pieces.add(piece);
            text.append(piece);
        }
    }

    @Test
    void prefillOnceThenOneTokenAtATimeUntilMaxTokens() {
        int[] prompt = gpt2.encode("The quick brown");
        int[] continuation = gpt2.encode(" fox jumps over the lazy dog");
        FakeModel model = scripted(concat(prompt, continuation), 64);
        Recorder recorder = new Recorder();
        GenerationResult r = new Generator(model).generate(prompt, GenerationOptions.greedy(4), recorder);
        assertThat(r.ids()).containsExactly(Arrays.copyOf(continuation, 4));
        assertThat(r.text()).isEqualTo(gpt2.decode(Arrays.copyOf(continuation, 4)));
        assertThat(r.stopReason()).isEqualTo(StopReason.MAX_TOKENS);
        assertThat(r.promptIds()).containsExactly(prompt);
        // one prefill of the whole prompt, then the first three generated tokens fed back one by one
        assertThat(model.calls).containsExactly(new FakeModel.Call(prompt.length, false, 0),
                new FakeModel.Call(1, false, prompt.length), new FakeModel.Call(1, false, prompt.length + 1),
                new FakeModel.Call(1, false, prompt.length + 2));
        assertThat(r.decodeSteps()).isEqualTo(3);
        assertThat(recorder.ids).containsExactly(continuation[0], continuation[1], continuation[2], continuation[3]);
        assertThat(recorder.text.toString()).isEqualTo(r.text());
        assertThat(r.prefillMillis()).isNotNegative();
    }

    @Test
    void endOfTextStopsByDefaultAndIsNotInTheText() {
        int[] prompt = gpt2.encode("Hello");
        int[] continuation = concat(gpt2.encode(" world."), new int[] {50256, 50256});
        Recorder recorder = new Recorder();
        GenerationResult r = new Generator(scripted(concat(prompt, continuation), 64))
                .generate(prompt, GenerationOptions.greedy(20), recorder);
        assertThat(r.stopReason()).isEqualTo(StopReason.STOP_TOKEN);
        assertThat(r.ids()).endsWith(50256).hasSize(continuation.length - 1);
        assertThat(r.text()).isEqualTo(" world.");
        assertThat(recorder.text.toString()).isEqualTo(" world.");
        // with no stop tokens, the generation goes through end-of-text
        GenerationResult through = new Generator(scripted(concat(prompt, continuation), 64))
                .generate(prompt, GenerationOptions.greedy(continuation.length).withStopTokens(), TokenListener.NONE);
        assertThat(through.stopReason()).isEqualTo(StopReason.MAX_TOKENS);
        assertThat(through.text()).isEqualTo(" world.<|endoftext|><|endoftext|>");
    }

    @Test
    void aStopStringSpanningTokensEndsTheTextJustBeforeIt() {
        int[] prompt = gpt2.encode("Once");
        int[] continuation = gpt2.encode(" upon a time there was a test.");
        Recorder recorder = new Recorder();
        GenerationResult r = new Generator(scripted(concat(prompt, continuation), 64))
                .generate(prompt, GenerationOptions.greedy(50).withStopStrings("e there w", "xyz"), recorder);
        assertThat(r.stopReason()).isEqualTo(StopReason.STOP_STRING);
        assertThat(r.text()).isEqualTo(" upon a tim");
        assertThat(recorder.text.toString()).isEqualTo(" upon a tim");
        // the ids run up to the token that completed the stop string (" was")
        assertThat(gpt2.decode(r.ids())).isEqualTo(" upon a time there was");
        // text that might begin the stop string was held back, never streamed and then taken back
        assertThat(recorder.pieces).doesNotContain(" time");
    }

    @Test
    void aStopStringInTheFlushedTailIsStillFound() {
        int[] prompt = gpt2.encode("x");
        int[] continuation = gpt2.encode(" the end");
        GenerationResult r = new Generator(scripted(concat(prompt, continuation), 64))
                .generate(prompt, GenerationOptions.greedy(continuation.length).withStopStrings("end"), TokenListener.NONE);
        assertThat(r.text()).isEqualTo(" the ");
        assertThat(r.stopReason()).isEqualTo(StopReason.STOP_STRING);
    }

    @Test
    void theContextLimitStopsGeneration() {
        int[] prompt = gpt2.encode("one two three");
        int[] continuation = gpt2.encode(" four five six seven eight nine ten");
        int context = prompt.length + 3;
        FakeModel model = scripted(concat(prompt, continuation), context);
        GenerationResult r = new Generator(model).generate(prompt, GenerationOptions.greedy(100), TokenListener.NONE);
        assertThat(r.stopReason()).isEqualTo(StopReason.CONTEXT_FULL);
        // C - P + 1 tokens: every generated token but the last was fed back
        assertThat(r.ids()).containsExactly(Arrays.copyOf(continuation, 4));
        assertThat(model.calls.getLast().startPosition()).isEqualTo(context - 1);
        // a prompt that fills the context still gets one token
        int[] full = Arrays.copyOf(concat(prompt, continuation), context);
        GenerationResult one = new Generator(model).generate(full, GenerationOptions.greedy(100), TokenListener.NONE);
        assertThat(one.ids()).hasSize(1);
        assertThat(one.stopReason()).isEqualTo(StopReason.CONTEXT_FULL);
        assertThatThrownBy(() -> new Generator(model).generate(Arrays.copyOf(concat(prompt, continuation), context + 1),
                GenerationOptions.greedy(1), TokenListener.NONE)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("context holds " + context);
    }

    @Test
    void splitEmojiStreamWholeCharacters() {
        int[] prompt = gpt2.encode("Mood:");
        String expected = " \uD83D\uDC4D\uD83C\uDFFD \uD83D\uDC69\u200D\uD83D\uDC69\u200D\uD83D\uDC67 ok";
        int[] continuation = gpt2.encode(expected);
        Recorder recorder = new Recorder();
        GenerationResult r = new Generator(scripted(concat(prompt, continuation), 64))
                .generate(prompt, GenerationOptions.greedy(continuation.length), recorder);
        assertThat(r.text()).isEqualTo(expected);
        assertThat(recorder.pieces).allSatisfy(p -> assertThat(p).doesNotContain("\ufffd"));
        assertThat(recorder.pieces).contains("");
        assertThat(recorder.text.toString()).isEqualTo(expected);
    }

    @Test
    void unfinishedCharacterAtTheEndIsFlushedAsReplacement() {
        int[] prompt = gpt2.encode("a");
        int[] emoji = gpt2.encode("\uD83D\uDE00");
        Recorder recorder = new Recorder();
        GenerationResult r = new Generator(scripted(concat(prompt, emoji), 64))
                .generate(prompt, GenerationOptions.greedy(1), recorder);
        assertThat(r.text()).isEqualTo("\ufffd");
        assertThat(recorder.ids).containsExactly(emoji[0], TokenListener.END);
        assertThat(recorder.pieces).containsExactly("", "\ufffd");
    }

    /** A model with a fixed random bigram table, to sample from. */
    private static FakeModel bigram(long seed, int vocab) {
        SplittableRandom random = new SplittableRandom(seed);
        float[][] table = new float[vocab][vocab];
        for (float[] row : table) {
            for (int j = 0; j < vocab; j++) {
                row[j] = (float) random.nextGaussian();
            }
        }
        return new FakeModel(vocab, 256, null, (tokens, position, out, offset) ->
                System.arraycopy(table[tokens[position]], 0, out, offset, vocab));
    }

    @Test
    void sameSeedSameTokens() {
        FakeModel model = bigram(3, 50);
        Generator generator = new Generator(model);
        GenerationOptions options = GenerationOptions.of(40, new SamplingOptions(1.0, 20, 0.95, 2024));
        GenerationResult a = generator.generate(new int[] {1, 2}, options, TokenListener.NONE);
        GenerationResult b = generator.generate(new int[] {1, 2}, options, TokenListener.NONE);
        GenerationResult c = generator.generate(new int[] {1, 2}, options.withSampling(options.sampling().withSeed(2025)),
                TokenListener.NONE);
        assertThat(a.ids()).hasSize(40).containsExactly(b.ids());
        assertThat(c.ids()).isNotEqualTo(a.ids());
        assertThat(a.text()).isEmpty(); // no tokenizer
    }

    @Test
    void greedyFollowsTheArgmaxChain() {
        FakeModel model = bigram(4, 30);
        GenerationResult r = new Generator(model).generate(new int[] {7}, GenerationOptions.greedy(10), TokenListener.NONE);
        float[] logits = new float[30];
        int token = 7;
        Session session = model.newSession();
        session.reset();
        for (int i = 0; i < 10; i++) {
            model.forward(session, new int[] {token}, 0, 1, logits);
            int best = 0;
            for (int j = 1; j < 30; j++) {
                if (logits[j] > logits[best]) {
                    best = j;
                }
            }
            assertThat(r.ids()[i]).as("step %d", i).isEqualTo(best);
            token = best;
        }
    }

    @Test
    void badPromptsAreRefused() {
        Generator generator = new Generator(bigram(1, 10));
        assertThatThrownBy(() -> generator.generate(new int[0], GenerationOptions.greedy(1), TokenListener.NONE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("empty");
        assertThatThrownBy(() -> generator.generate(new int[] {10}, GenerationOptions.greedy(1), TokenListener.NONE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("outside the vocabulary");
        assertThatThrownBy(() -> generator.generate("text", GenerationOptions.greedy(1), TokenListener.NONE))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("no tokenizer");
        FakeModel model = bigram(1, 10);
        GenerationResult none = new Generator(model).generate(new int[] {1}, GenerationOptions.greedy(0), TokenListener.NONE);
        assertThat(none.ids()).isEmpty();
        assertThat(model.calls).isEmpty();
    }

    /** The session holds the prompt and the new tokens, rounded up to 256 positions, at most the context. */
    @Test
    void sessionsAreSizedForTheJobNotTheWholeContext() {
        assertThat(Generator.sessionCapacity(3, 32, 1024)).isEqualTo(256);
        assertThat(Generator.sessionCapacity(16, 240, 1024)).isEqualTo(256);
        assertThat(Generator.sessionCapacity(16, 241, 1024)).isEqualTo(512);
        assertThat(Generator.sessionCapacity(16, 5000, 1024)).isEqualTo(1024);
        assertThat(Generator.sessionCapacity(100, Integer.MAX_VALUE, 2048)).isEqualTo(2048);
        assertThat(Generator.sessionCapacity(3, 5, 100)).isEqualTo(100);
    }

    /** Growing jobs get a bigger session; the context limit still ends a long one. */
    @Test
    void aLongerJobAfterAShortOneStillReachesTheContextLimit() {
        int[] script = new int[601];
        for (int i = 0; i < script.length; i++) {
            script[i] = 1 + i;
        }
        Generator generator = new Generator(scripted(script, 600), null);
        GenerationResult shortJob = generator.generate(new int[] {1, 2}, GenerationOptions.of(3, SamplingOptions.greedy()),
                TokenListener.NONE);
        assertThat(shortJob.ids()).containsExactly(3, 4, 5);
        GenerationResult longJob = generator.generate(new int[] {1, 2}, GenerationOptions.of(1000, SamplingOptions.greedy()),
                TokenListener.NONE);
        assertThat(longJob.stopReason()).isEqualTo(StopReason.CONTEXT_FULL);
        assertThat(longJob.ids()).hasSize(599);
    }
}
