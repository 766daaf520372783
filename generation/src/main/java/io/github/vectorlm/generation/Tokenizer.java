package io.github.vectorlm.generation;

import java.util.OptionalInt;

/**
 * Text ↔ token ids. Implementations are immutable and thread-safe.
 */
public interface Tokenizer {
    /** Encodes text; special tokens written in the text (such as {@code <|endoftext|>}) become their ids. */
    int[] encode(String text);

    /**
     * Encodes text as {@link #encode(String)} does, appending the ids to {@code out}: a caller that
     * tokenizes many texts reuses one list.
     */
    default void encode(String text, IntList out) {
        out.addAll(encode(text));
    }

    /** Decodes ids to text; bytes that are not valid UTF-8 become U+FFFD, as Hugging Face does. */
    String decode(int[] ids);

    /** The raw bytes ids stand for. */
    byte[] decodeBytes(int[] ids);

    /** Number of ids, special tokens included. */
    int vocabSize();

    /** The id of a token given by its vocabulary string, if it has one. */
    OptionalInt tokenId(String token);

    /** The end-of-text token, if the vocabulary has one. */
    OptionalInt endOfText();

    /** A decoder for a stream of ids that never emits half a UTF-8 character. */
    StreamingDecoder streamingDecoder();

    /** Turns ids one at a time into text pieces, holding back incomplete UTF-8 sequences. */
    interface StreamingDecoder {
        /** The text completed by this id (possibly empty). */
        String next(int id);

        /** Whatever is held back, decoded with U+FFFD for incomplete bytes; resets the decoder. */
        String flush();
    }
}
