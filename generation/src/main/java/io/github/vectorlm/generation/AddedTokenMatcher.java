package io.github.vectorlm.generation;

import java.util.Arrays;
import java.util.List;

/**
 * Finds added tokens in text as Hugging Face's added vocabulary does: the leftmost-longest
 * non-overlapping matches of the token contents (Aho-Corasick, LeftmostLongest), then, match by
 * match, {@code single_word} discards a match touched by a word character, {@code lstrip} and
 * {@code rstrip} widen it over adjacent whitespace.
 */
final class AddedTokenMatcher {
    private final Node root = new Node();
    private final boolean[] firstChars = new boolean[65536];
    private final boolean empty;

    /** A matcher of {@code tokens}, each matched by {@code patternOf} its content. */
    AddedTokenMatcher(List<AddedToken> tokens, java.util.function.Function<AddedToken, String> patternOf) {
        for (AddedToken token : tokens) {
            String pattern = patternOf.apply(token);
            if (pattern.isEmpty()) {
                continue;
            }
            Node node = root;
            for (int i = 0; i < pattern.length(); i++) {
                node = node.childOrNew(pattern.charAt(i));
            }
            if (node.token == null) {
                node.token = token; // first listed wins for duplicate patterns
            }
            firstChars[pattern.charAt(0)] = true;
        }
        empty = root.keys.length == 0;
    }

    /** Whether there is nothing to match. */
    boolean isEmpty() {
        return empty;
    }

    /**
     * Splits {@code text} into segments: calls {@code sink} for every stretch in order, with the
     * added token matched there or null for plain text. Empty stretches are not reported.
     */
    void split(String text, SegmentSink sink) {
        if (empty) {
            if (!text.isEmpty()) {
                sink.segment(text, 0, text.length(), null);
            }
            return;
        }
        int n = text.length();
        int done = 0; // end of the last reported segment
        int i = 0;
        while (i < n) {
            if (!firstChars[text.charAt(i)]) {
                i++;
                continue;
            }
            Node node = root;
            AddedToken found = null;
            int foundEnd = -1;
            for (int j = i; j < n; j++) {
                node = node.child(text.charAt(j));
                if (node == null) {
                    break;
                }
                if (node.token != null) {
                    found = node.token;
                    foundEnd = j + 1;
                }
            }
            if (found == null) {
                i++;
                continue;
            }
            int start = i;
            int stop = foundEnd;
            i = foundEnd; // the scan goes on after the match, whatever the flags do to it
            if (found.singleWord() && (start > 0 && isWordChar(Character.codePointBefore(text, start))
                    || stop < n && isWordChar(Character.codePointAt(text, stop)))) {
                continue;
            }
            if (found.lstrip()) {
                int s = start;
                while (s > 0 && Gpt2PreTokenizer.isWhiteSpace(text.charAt(s - 1))) {
                    s--;
                }
                start = Math.max(s, done);
            }
            if (found.rstrip()) {
                while (stop < n && Gpt2PreTokenizer.isWhiteSpace(text.charAt(stop))) {
                    stop++;
                }
            }
            // after an rstrip, a match may begin inside the whitespace already taken: Hugging Face
            // would then report overlapping stretches; here the second one starts where the first ended
            start = Math.max(start, done);
            if (start > done) {
                sink.segment(text, done, start, null);
            }
            sink.segment(text, start, stop, found);
            done = stop;
        }
        if (done < n) {
            sink.segment(text, done, n, null);
        }
    }

    /** Rust regex's Unicode {@code \w}: Alphabetic, marks, decimal digits, connector punctuation, joiners. */
    static boolean isWordChar(int cp) {
        if (Character.isAlphabetic(cp) || cp == 0x200C || cp == 0x200D) {
            return true;
        }
        return switch (Character.getType(cp)) {
            case Character.NON_SPACING_MARK, Character.ENCLOSING_MARK, Character.COMBINING_SPACING_MARK,
                    Character.DECIMAL_DIGIT_NUMBER, Character.CONNECTOR_PUNCTUATION -> true;
            default -> false;
        };
    }

    /** Receives the segments of a split. */
    @FunctionalInterface
    interface SegmentSink {
        /** {@code text[from, to)} is plain text ({@code token} null) or the added token {@code token}. */
        void segment(String text, int from, int to, AddedToken token);
    }

    /** A trie node; its children by character, sorted (no boxing, no hashing in the scan). */
    private static final class Node {
        private char[] keys = new char[0];
        private Node[] children = new Node[0];
        AddedToken token;

        Node child(char c) {
            char[] k = keys;
            if (k.length <= 8) {
                for (int i = 0; i < k.length; i++) {
                    if (k[i] == c) {
                        return children[i];
                    }
                }
                return null;
            }
            int i = Arrays.binarySearch(k, c);
            return i < 0 ? null : children[i];
        }

        Node childOrNew(char c) {
            int i = Arrays.binarySearch(keys, c);
            if (i >= 0) {
                return children[i];
            }
            int at = -i - 1;
            Node node = new Node();
            char[] k = new char[keys.length + 1];
            Node[] n = new Node[keys.length + 1];
            System.arraycopy(keys, 0, k, 0, at);
            System.arraycopy(children, 0, n, 0, at);
            k[at] = c;
            n[at] = node;
            System.arraycopy(keys, at, k, at + 1, keys.length - at);
            System.arraycopy(children, at, n, at + 1, keys.length - at);
            keys = k;
            children = n;
            return node;
        }
    }
}
