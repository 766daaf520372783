package io.github.vectorlm.generation;

import static org.assertj.core.api.Assertions.fail;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;

/** Test resources by path; a missing one fails the test (never skips it). */
final class TestFiles {
    private TestFiles() {
    }

    /** The file at {@code src/test/resources/<name>}. */
    static Path resource(String name) {
        URL url = TestFiles.class.getClassLoader().getResource(name);
        if (url == null) {
            fail("missing test resource src/test/resources/" + name
                    + (name.startsWith("tokenizer-oracle/") ? " (made by tools/make_tokenizer_fixtures.py, see the README there)" : ""));
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new AssertionError(e);
        }
    }

    static Path gpt2Encoder() {
        return resource("tokenizers/encoder.json");
    }

    static Path gpt2Merges() {
        return resource("tokenizers/vocab.bpe");
    }

    static Path neoxTokenizer() {
        return resource("tokenizers/20B_tokenizer.json");
    }
}
