package io.github.vectorlm.neox;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.vectorlm.testing.Fixtures;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A fixture's {@code expected.json}, written by Hugging Face's {@code GPTNeoXForCausalLM} in float32
 * on the CPU.
 *
 * @param ids the token ids
 * @param logits logits of every position of one full forward pass, [ids, vocab]
 * @param cachedLogits logits with a KV cache: a prefill of 5, then one token at a time
 * @param prompt the first 5 ids
 * @param greedy the 10 tokens greedy generation appends to the prompt
 * @param loss mean cross-entropy of ids[1..] given ids[..n-1]
 */
record Expected(int[] ids, double[][] logits, double[][] cachedLogits, int[] prompt, int[] greedy, double loss) {
    static Expected read(Path folder) throws IOException {
        JsonNode n = Fixtures.json(folder.resolve("expected.json"), NeoxFixtures.MADE_BY);
        return new Expected(Fixtures.ints(n.get("ids")), Fixtures.matrix(n.get("logits")),
                Fixtures.matrix(n.get("cached_logits")), Fixtures.ints(n.get("prompt")), Fixtures.ints(n.get("greedy")),
                n.get("loss").asDouble());
    }
}
