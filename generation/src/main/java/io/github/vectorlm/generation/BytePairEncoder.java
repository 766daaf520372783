package io.github.vectorlm.generation;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * Byte-level BPE, as GPT-2 and GPT-NeoX use it, giving the same ids as OpenAI's encoder and
 * Hugging Face {@code tokenizers}. Made by {@link Tokenizers}.
 *
 * <p>Encoding runs Hugging Face's pipeline:
 * <ol>
 *   <li>added tokens whose {@code normalized} flag is off (special tokens such as
 *       {@code <|endoftext|>}) are cut out of the raw text (leftmost-longest matches, with their
 *       {@code single_word}, {@code lstrip}, {@code rstrip} flags);</li>
 *   <li>each remaining stretch is normalized (NFC for NeoX; nothing for GPT-2), and added tokens
 *       with {@code normalized} on (NeoX's runs of 2 to 24 spaces) are cut out of it the same way;</li>
 *   <li>each remaining stretch gets a leading space if {@code add_prefix_space} is set and it has
 *       none, and is split by GPT-2's pattern ({@link Gpt2PreTokenizer});</li>
 *   <li>each piece's UTF-8 bytes are merged by rank ({@link BpeModel}).</li>
 * </ol>
 * Decoding maps each token back to its bytes and decodes the whole as UTF-8, every maximal
 * invalid subpart becoming U+FFFD; added tokens decode to their content (normalized, if the
 * token has the {@code normalized} flag); ids with no token
 * (such as nanoGPT's padding ids 50257..50303) decode to nothing, as in Hugging Face.
 *
 * <p>Immutable and thread-safe; a bounded cache of piece → ids is shared by all threads.
 */
public final class BytePairEncoder implements Tokenizer {
    /** The cache holds this many pieces before it starts over. */
    static final int DEFAULT_CACHE_CAPACITY = 65_536;
    private static final byte[] NOTHING = new byte[0];

    private final String source;
    private final BpeModel model;
    private final TextNormalizer normalizer;
    private final boolean addPrefixSpace;
    private final boolean useRegex;
    private final List<AddedToken> addedTokens;
    private final Map<String, AddedToken> addedByContent = new HashMap<>();
    private final AddedTokenMatcher rawMatcher;
    private final AddedTokenMatcher normalizedMatcher;
    private final byte[][] idBytes;
    private final OptionalInt endOfText;

    BytePairEncoder(String source, BpeModel model, TextNormalizer normalizer, boolean addPrefixSpace,
            boolean useRegex, List<AddedToken> addedTokens) {
        this.source = Objects.requireNonNull(source, "source");
        this.model = Objects.requireNonNull(model, "model");
        this.normalizer = Objects.requireNonNull(normalizer, "normalizer");
        this.addPrefixSpace = addPrefixSpace;
        this.useRegex = useRegex;
        this.addedTokens = List.copyOf(addedTokens);
        int limit = model.idLimit();
        for (AddedToken token : this.addedTokens) {
            addedByContent.putIfAbsent(token.content(), token);
            limit = Math.max(limit, token.id() + 1);
        }
        List<AddedToken> raw = new ArrayList<>();
        List<AddedToken> normalized = new ArrayList<>();
        for (AddedToken token : this.addedTokens) {
            (token.normalized() ? normalized : raw).add(token);
        }
        rawMatcher = new AddedTokenMatcher(raw, AddedToken::content);
        normalizedMatcher = new AddedTokenMatcher(normalized, t -> normalizer.normalize(t.content()));
        idBytes = new byte[limit][];
        for (int id = 0; id < model.idLimit(); id++) {
            String token = model.tokenOf(id);
            if (token != null) {
                idBytes[id] = ByteLevel.decodeToken(token);
            }
        }
        for (AddedToken token : this.addedTokens) {
            // added tokens win over the model's, and a normalized one decodes to its normalized
            // content (tokenizers 0.23 keeps that form for decoding: "ﬁ" under NFKC decodes as "fi")
            String content = token.normalized() ? normalizer.normalize(token.content()) : token.content();
            idBytes[token.id()] = ByteLevel.decodeToken(content);
        }
        endOfText = tokenId("<|endoftext|>");
    }

    @Override
    public int[] encode(String text) {
        IntList out = new IntList(text.length() / 3 + 4);
        encode(text, out);
        return out.toArray();
    }

    @Override
    public void encode(String text, IntList out) {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(out, "out");
        rawMatcher.split(text, (raw, from, to, token) -> {
            if (token != null) {
                out.add(token.id());
                return;
            }
            String stretch = from == 0 && to == raw.length() ? raw : raw.substring(from, to);
            normalizedMatcher.split(normalizer.normalize(stretch), (norm, f, t, added) -> {
                if (added != null) {
                    out.add(added.id());
                } else {
                    encodeStretch(norm, f, t, out);
                }
            });
        });
    }

    private void encodeStretch(String text, int from, int to, IntList out) {
        if (addPrefixSpace && text.charAt(from) != ' ') {
            text = " " + text.substring(from, to);
            from = 0;
            to = text.length();
        }
        if (!useRegex) {
            model.encodePiece(text, from, to, out);
            return;
        }
        int i = from;
        while (i < to) {
            int end = Gpt2PreTokenizer.pieceEnd(text, i, to);
            model.encodePiece(text, i, end, out);
            i = end;
        }
    }

    @Override
    public String decode(int[] ids) {
        byte[] bytes = decodeBytes(ids);
        return Utf8.decode(bytes);
    }

    @Override
    public byte[] decodeBytes(int[] ids) {
        int size = 0;
        for (int id : ids) {
            byte[] b = bytesOf(id);
            size = Math.addExact(size, b.length);
        }
        byte[] out = new byte[size];
        int o = 0;
        for (int id : ids) {
            byte[] b = bytesOf(id);
            System.arraycopy(b, 0, out, o, b.length);
            o += b.length;
        }
        return out;
    }

    /** The bytes of one id; none for an id without a token. */
    byte[] bytesOf(int id) {
        byte[] b = id >= 0 && id < idBytes.length ? idBytes[id] : null;
        return b == null ? NOTHING : b;
    }

    @Override
    public int vocabSize() {
        return idBytes.length;
    }

    @Override
    public OptionalInt tokenId(String token) {
        AddedToken added = addedByContent.get(token);
        if (added != null) {
            return OptionalInt.of(added.id());
        }
        int id = model.idOf(token);
        return id < 0 ? OptionalInt.empty() : OptionalInt.of(id);
    }

    /**
     * The vocabulary string of an id (byte-level form, e.g. {@code "Ġthe"}), or the content of an
     * added token; null if the id has no token.
     */
    public String tokenString(int id) {
        for (AddedToken token : addedTokens) {
            if (token.id() == id) {
                return token.content();
            }
        }
        return model.tokenOf(id);
    }

    /** The added tokens (special and not), in the order the file lists them. */
    public List<AddedToken> addedTokens() {
        return addedTokens;
    }

    @Override
    public OptionalInt endOfText() {
        return endOfText;
    }

    @Override
    public StreamingDecoder streamingDecoder() {
        return new Utf8StreamingDecoder(this::bytesOf);
    }

    @Override
    public String toString() {
        return "BytePairEncoder[" + source + ", " + vocabSize() + " ids, " + addedTokens.size() + " added tokens]";
    }
}
