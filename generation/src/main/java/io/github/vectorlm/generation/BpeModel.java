package io.github.vectorlm.generation;

import java.util.Arrays;
import java.util.Collections;
import java.util.Map;

/**
 * A byte-level BPE model: the vocabulary (token string ↔ id) and the merge rules by rank, and
 * the merge loop that turns one pre-tokenized piece into ids.
 *
 * <p>The merge loop is Hugging Face's: while some adjacent pair of symbols has a merge rule,
 * merge the pair whose rule has the lowest rank, the leftmost one among equals. (OpenAI's
 * encoder merges every occurrence of the best pair in one sweep; both give the same ids whenever
 * a merged token's rank is above the ranks of the merges that made its parts, which holds for
 * every trained merge list.)
 *
 * <p>Immutable but for a bounded, thread-safe cache of piece → ids ({@link PieceCache}).
 */
final class BpeModel {
    /** Pieces longer than this (in chars) are not cached, so one huge word cannot fill memory. */
    private static final int MAX_CACHED_PIECE = 256;
    private static final long NO_MERGE = Long.MAX_VALUE;

    private final String[] idToToken;
    private final Map<String, Integer> tokenToId;
    private final int[] byteToId;
    private final int unknownId;
    private final boolean fuseUnknown;
    private final boolean ignoreMerges;
    private final MergeTable merges;
    private final PieceCache cache;

    /**
     * @param tokenToId the vocabulary, kept as it is (not copied: 50 000 entries): the caller hands it over and
     *     never changes it again
     * @param idToToken tokens by id (null where an id has none)
     * @param merges the merge rules, ranked by index
     * @param unknownId the id emitted for a byte with no token, or -1 to drop such bytes (as Hugging Face does without an unk_token)
     * @param fuseUnknown whether consecutive unknown bytes give one unknown id
     * @param ignoreMerges whether a piece that is itself a token skips the merges (Hugging Face's {@code ignore_merges})
     * @param cacheCapacity about how many pieces the cache holds (0: no cache)
     */
    BpeModel(Map<String, Integer> tokenToId, String[] idToToken, MergeTable merges, int unknownId,
            boolean fuseUnknown, boolean ignoreMerges, int cacheCapacity) {
        this.tokenToId = Collections.unmodifiableMap(tokenToId);
        this.idToToken = idToToken.clone();
        this.merges = merges;
        this.unknownId = unknownId;
        this.fuseUnknown = fuseUnknown;
        this.ignoreMerges = ignoreMerges;
        this.cache = cacheCapacity > 0 ? new PieceCache(cacheCapacity) : null;
        this.byteToId = new int[256];
        for (int b = 0; b < 256; b++) {
            Integer id = tokenToId.get(String.valueOf(ByteLevel.charOf(b)));
            byteToId[b] = id == null ? -1 : id;
        }
    }

    /** The id of a vocabulary token, or -1. */
    int idOf(String token) {
        Integer id = tokenToId.get(token);
        return id == null ? -1 : id;
    }

    /** The token string of an id, or null. */
    String tokenOf(int id) {
        return id >= 0 && id < idToToken.length ? idToToken[id] : null;
    }

    /** One more than the largest id of the vocabulary. */
    int idLimit() {
        return idToToken.length;
    }

    /** Appends the ids of one pre-tokenized piece {@code text[from, to)} to {@code out}. */
    void encodePiece(String text, int from, int to, IntList out) {
        if (cache == null || to - from > MAX_CACHED_PIECE) {
            out.addAll(merge(Utf8.encode(text, from, to)));
            return;
        }
        int hash = PieceCache.hash(text, from, to);
        int[] ids = cache.get(text, from, to, hash);
        if (ids == null) {
            ids = merge(Utf8.encode(text, from, to));
            cache.put(text, from, to, hash, ids);
        }
        out.addAll(ids);
    }

    /** The ids of the byte sequence {@code bytes} after all merges. */
    int[] merge(byte[] bytes) {
        if (ignoreMerges) {
            Integer whole = tokenToId.get(ByteLevel.encode(bytes));
            if (whole != null) {
                return new int[] {whole};
            }
        }
        int[] symbols = new int[bytes.length];
        int count = 0;
        for (byte b : bytes) {
            int id = byteToId[b & 0xFF];
            if (id < 0) {
                if (unknownId < 0 || fuseUnknown && count > 0 && symbols[count - 1] == unknownId) {
                    continue;
                }
                id = unknownId;
            }
            symbols[count++] = id;
        }
        if (count < 2) {
            return Arrays.copyOf(symbols, count);
        }
        // pairs[i] = merge of (symbols[i], symbols[i+1]) packed as rank << 32 | merged id
        long[] pairs = new long[count - 1];
        for (int i = 0; i < count - 1; i++) {
            pairs[i] = merges.find(symbols[i], symbols[i + 1]);
        }
        while (count > 1) {
            int best = -1;
            long bestPair = NO_MERGE;
            for (int i = 0; i < count - 1; i++) {
                if (pairs[i] < bestPair) {
                    bestPair = pairs[i];
                    best = i;
                }
            }
            if (best < 0) {
                break;
            }
            symbols[best] = (int) bestPair;
            System.arraycopy(symbols, best + 2, symbols, best + 1, count - best - 2);
            System.arraycopy(pairs, best + 1, pairs, best, count - best - 2);
            count--;
            if (best > 0) {
                pairs[best - 1] = merges.find(symbols[best - 1], symbols[best]);
            }
            if (best < count - 1) {
                pairs[best] = merges.find(symbols[best], symbols[best + 1]);
            }
        }
        return Arrays.copyOf(symbols, count);
    }

    /**
     * Merge rules as an open-addressing hash table from the pair (left id, right id) to
     * {@code rank << 32 | merged id}; no boxing in the merge loop.
     */
    static final class MergeTable {
        private static final long EMPTY = -1L;
        private final long[] keys;
        private final long[] values;
        private final int mask;
        private int size;

        /** A table sized for {@code expected} rules. */
        MergeTable(int expected) {
            int capacity = Integer.highestOneBit(Math.max(4, expected) * 2 - 1) << 1;
            keys = new long[capacity];
            values = new long[capacity];
            mask = capacity - 1;
            Arrays.fill(keys, EMPTY);
        }

        /** Adds or replaces (a later rule for the same pair wins, as in both reference encoders) a rule. */
        void put(int left, int right, int rank, int merged) {
            if (size * 2 >= keys.length) {
                throw new IllegalStateException("merge table full: sized for fewer rules than were added");
            }
            long key = (long) left << 32 | right & 0xFFFFFFFFL;
            int slot = slot(key);
            while (keys[slot] != EMPTY && keys[slot] != key) {
                slot = slot + 1 & mask;
            }
            if (keys[slot] == EMPTY) {
                size++;
            }
            keys[slot] = key;
            values[slot] = (long) rank << 32 | merged & 0xFFFFFFFFL;
        }

        /** {@code rank << 32 | merged id} of the rule for (left, right), or {@link Long#MAX_VALUE}. */
        long find(int left, int right) {
            long key = (long) left << 32 | right & 0xFFFFFFFFL;
            int slot = slot(key);
            while (true) {
                long k = keys[slot];
                if (k == key) {
                    return values[slot];
                }
                if (k == EMPTY) {
                    return NO_MERGE;
                }
                slot = slot + 1 & mask;
            }
        }

        /** Number of distinct pairs. */
        int size() {
            return size;
        }

        private int slot(long key) {
            long h = key * 0x9E3779B97F4A7C15L;
            return (int) (h ^ h >>> 32) & mask;
        }
    }
}
