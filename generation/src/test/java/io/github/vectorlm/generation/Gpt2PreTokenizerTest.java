package io.github.vectorlm.generation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The hand-written scanner against GPT-2's pattern run by java.util.regex with Unicode classes. */
class Gpt2PreTokenizerTest {
    private static final Pattern REFERENCE = Pattern.compile(Gpt2PreTokenizer.PATTERN, Pattern.UNICODE_CHARACTER_CLASS);

    /** Characters from every class the pattern tells apart, BMP and supplementary, and its tricky spots. */
    private static final String[] POOL = {
        "a", "Z", "é", "ß", "ǅ", "ʰ", "中", "가", "א", "ا", "𝐀", "𐐀", "𠀀", // letters (Lu Ll Lt Lm Lo, supplementary)
        "0", "9", "٣", "Ⅻ", "½", "²", "𝟘", // numbers (Nd Nl No, supplementary)
        "\u0301", "\u0308", "\u094d", "\u093f", "\u20e3", // marks: not letters
        ".", "!", "-", "_", "\"", "(", "😀", "\uD83C\uDFFD", "\u200d", "\ufffd", "\u0000", "\u001c", "\u007f", // other
        "'", "'s", "'t", "'re", "'ve", "'m", "'ll", "'d", "'S", "'x", "''",
        " ", " ", " ", "  ", "\t", "\n", "\r\n", "\u000b", "\u000c", "\u0085", "\u00a0", "\u1680", "\u2000", "\u200a",
        "\u2028", "\u2029", "\u202f", "\u205f", "\u3000", "\u200b", "\ufeff",
    };

    @Test
    void scannerSplitsLikeTheRegexOnRandomText() {
        long seed = 20240611L;
        System.out.println("Gpt2PreTokenizerTest seed " + seed);
        SplittableRandom random = new SplittableRandom(seed);
        for (int trial = 0; trial < 20_000; trial++) {
            StringBuilder text = new StringBuilder();
            int parts = 1 + random.nextInt(12);
            for (int i = 0; i < parts; i++) {
                text.append(POOL[random.nextInt(POOL.length)]);
            }
            String s = text.toString();
            assertThat(scan(s)).as("pieces of \"%s\" (trial %d)", escape(s), trial).isEqualTo(regex(s));
        }
    }

    @Test
    void everyWhiteSpaceCodePointIsWhiteSpaceForTheRegexToo() {
        Pattern space = Pattern.compile("\\s", Pattern.UNICODE_CHARACTER_CLASS);
        for (int cp = 0; cp <= 0x10FFFF; cp++) {
            boolean regexSays = space.matcher(Character.toString(cp)).matches();
            assertThat(Gpt2PreTokenizer.isWhiteSpace(cp)).as("U+%04X", cp).isEqualTo(regexSays);
        }
    }

    @Test
    void knownSplits() {
        assertThat(scan("Hello world")).containsExactly("Hello", " world");
        assertThat(scan("a   b")).containsExactly("a", "  ", " b");
        assertThat(scan("a \n b")).containsExactly("a", " \n", " b");
        assertThat(scan("DON'T it's")).containsExactly("DON", "'", "T", " it", "'s");
        assertThat(scan("e\u0301t\u00e9")).containsExactly("e", "\u0301", "t\u00e9");
        assertThat(scan("x  ")).containsExactly("x", "  ");
    }

    private static List<String> scan(String s) {
        List<String> pieces = new ArrayList<>();
        int i = 0;
        while (i < s.length()) {
            int end = Gpt2PreTokenizer.pieceEnd(s, i, s.length());
            assertThat(end).as("progress at %d", i).isGreaterThan(i);
            pieces.add(s.substring(i, end));
            i = end;
        }
        return pieces;
    }

    private static List<String> regex(String s) {
        List<String> pieces = new ArrayList<>();
        Matcher m = REFERENCE.matcher(s);
        int covered = 0;
        while (m.find()) {
            assertThat(m.start()).as("the pattern covers every character of \"%s\"", escape(s)).isEqualTo(covered);
            pieces.add(m.group());
            covered = m.end();
        }
        assertThat(covered).isEqualTo(s.length());
        return pieces;
    }

    private static String escape(String s) {
        StringBuilder b = new StringBuilder();
        s.codePoints().forEach(cp -> b.append(cp >= 0x20 && cp < 0x7f ? Character.toString(cp) : String.format("\\u{%x}", cp)));
        return b.toString();
    }
}
