package io.github.vectorlm.generation;

/**
 * GPT-2's pre-tokenization: splits text into the pieces BPE runs on, exactly as the regular
 * expression of OpenAI's encoder and Hugging Face's ByteLevel pre-tokenizer,
 * {@value #PATTERN}, where {@code \p{L}} is Unicode general category L (letters; not marks),
 * {@code \p{N}} category N, and {@code \s} the Unicode White_Space property (the semantics of
 * Python's {@code regex} module and of Oniguruma). Every character falls in one of the
 * alternatives, so the pieces cover the text.
 *
 * <p>A hand-written scanner does the work, because {@link java.util.regex} is several times slower
 * and its {@code \s} means ASCII whitespace unless asked otherwise; the tests check it against
 * {@link #PATTERN} compiled with {@link java.util.regex.Pattern#UNICODE_CHARACTER_CLASS} on random
 * text.
 */
final class Gpt2PreTokenizer {
    /** The regular expression this scanner implements. */
    static final String PATTERN = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

    private static final byte OTHER = 0;
    private static final byte LETTER = 1;
    private static final byte NUMBER = 2;
    private static final byte SPACE = 3;
    private static final byte[] ASCII_CLASS = new byte[128];

    static {
        for (int c = 0; c < 128; c++) {
            ASCII_CLASS[c] = classifySlow(c);
        }
    }

    private Gpt2PreTokenizer() {
    }

    /**
     * The end (exclusive) of the piece that starts at {@code start} in {@code s[start, end)}.
     * Call repeatedly from 0 to split the whole text.
     */
    static int pieceEnd(CharSequence s, int start, int end) {
        char c = s.charAt(start);
        if (c == '\'' && start + 1 < end) {
            char d = s.charAt(start + 1);
            if (d == 's' || d == 't' || d == 'm' || d == 'd') {
                return start + 2;
            }
            if (start + 2 < end) {
                char e = s.charAt(start + 2);
                if ((d == 'r' || d == 'v') && e == 'e' || d == 'l' && e == 'l') {
                    return start + 3;
                }
            }
        }
        int first = start;
        int cls = classAt(s, start);
        if (c == ' ' && start + 1 < end) {
            int next = classAt(s, start + 1);
            if (next != SPACE) {
                first = start + 1; // " ?" takes the space, the class run follows
                cls = next;
            }
        }
        if (cls != SPACE) {
            int i = first + Character.charCount(Character.codePointAt(s, first));
            while (i < end) {
                char ch = s.charAt(i);
                if (ch < 128) { // the common case, without the surrogate check
                    if (ASCII_CLASS[ch] != cls) {
                        break;
                    }
                    i++;
                    continue;
                }
                int cp = Character.codePointAt(s, i);
                if (classify(cp) != cls) {
                    break;
                }
                i += Character.charCount(cp);
            }
            return i;
        }
        // whitespace: \s+(?!\S) backs off one character before a non-space; \s+ takes a lone one
        int i = start + 1; // White_Space characters are all in the BMP
        while (i < end && classAt(s, i) == SPACE) {
            i++;
        }
        if (i == end || i - start == 1) {
            return i;
        }
        return i - 1;
    }

    private static int classAt(CharSequence s, int i) {
        char c = s.charAt(i);
        if (c < 128) {
            return ASCII_CLASS[c];
        }
        return classify(Character.codePointAt(s, i));
    }

    private static int classify(int cp) {
        return cp < 128 ? ASCII_CLASS[cp] : classifySlow(cp);
    }

    private static byte classifySlow(int cp) {
        if (isWhiteSpace(cp)) {
            return SPACE;
        }
        return switch (Character.getType(cp)) {
            case Character.UPPERCASE_LETTER, Character.LOWERCASE_LETTER, Character.TITLECASE_LETTER,
                    Character.MODIFIER_LETTER, Character.OTHER_LETTER -> LETTER;
            case Character.DECIMAL_DIGIT_NUMBER, Character.LETTER_NUMBER, Character.OTHER_NUMBER -> NUMBER;
            default -> OTHER;
        };
    }

    /** The Unicode White_Space property (PropList.txt), which {@code \s} means in Python's regex and Oniguruma. */
    static boolean isWhiteSpace(int cp) {
        return cp >= 0x09 && cp <= 0x0D || cp == 0x20 || cp == 0x85 || cp == 0xA0 || cp == 0x1680
                || cp >= 0x2000 && cp <= 0x200A || cp == 0x2028 || cp == 0x2029 || cp == 0x202F
                || cp == 0x205F || cp == 0x3000;
    }
}
