package io.github.vectorlm.generation;

import java.util.Objects;

/**
 * A token matched in the raw text before pre-tokenization, as in Hugging Face's
 * {@code added_tokens}: special tokens such as {@code <|endoftext|>}, and other added tokens
 * such as GPT-NeoX's runs of spaces.
 *
 * @param id the token's id
 * @param content the text it matches
 * @param special whether it is a special (control) token
 * @param singleWord match only where no word character ({@code \w}) touches it on either side
 * @param lstrip the match takes the whitespace on its left
 * @param rstrip the match takes the whitespace on its right
 * @param normalized match in the normalized text (its content normalized too) rather than the raw text
 */
public record AddedToken(int id, String content, boolean special, boolean singleWord, boolean lstrip,
        boolean rstrip, boolean normalized) {
    /** Checks the arguments. */
    public AddedToken {
        Objects.requireNonNull(content, "content");
        if (id < 0) {
            throw new IllegalArgumentException("added token id " + id + " is negative");
        }
        if (content.isEmpty()) {
            throw new IllegalArgumentException("added token " + id + " has empty content");
        }
    }

    /** A special token matched literally in the raw text, with no stripping. */
    public static AddedToken special(int id, String content) {
        return new AddedToken(id, content, true, false, false, false, false);
    }
}
