package io.github.vectorlm.generation;

/**
 * A bounded cache of pre-tokenized piece → ids, looked up by a range of a string so that a hit
 * makes no object: BPE's merge loop is the tokenizer's costly step, and corpus text repeats its
 * words. Shared by every thread without locks: a table of slots in pairs (two-way set
 * associative) holding immutable entries; a miss overwrites the older-looking slot of its pair
 * (the second one if both are taken). Entries are published through final fields, so a thread
 * that reads a slot sees the whole entry or another one, never half of one; a slot a thread
 * overwrites at the same time as another thread only costs a later miss.
 */
final class PieceCache {
    private final Entry[] slots;
    private final int mask;

    /** A cache of about {@code capacity} pieces (rounded up to a power of two, at least 2). */
    PieceCache(int capacity) {
        int size = Integer.highestOneBit(Math.max(2, capacity) - 1) << 1;
        slots = new Entry[size];
        mask = size - 2; // the even slot of a pair
    }

    /** The ids cached for {@code text[from, to)} (whose {@link #hash} is {@code hash}), or null. */
    int[] get(String text, int from, int to, int hash) {
        int slot = hash & mask;
        Entry e = slots[slot];
        if (e != null && e.matches(text, from, to, hash)) {
            return e.ids;
        }
        e = slots[slot + 1];
        if (e != null && e.matches(text, from, to, hash)) {
            return e.ids;
        }
        return null;
    }

    /** Caches {@code ids} (not copied: never changed after) for {@code text[from, to)}. */
    void put(String text, int from, int to, int hash, int[] ids) {
        int slot = hash & mask;
        Entry entry = new Entry(text.substring(from, to), hash, ids);
        if (slots[slot] == null) {
            slots[slot] = entry;
        } else {
            slots[slot + 1] = slots[slot]; // the newer one stays first
            slots[slot] = entry;
        }
    }

    /** The hash of {@code text[from, to)}, spread over the bits the table uses. */
    static int hash(String text, int from, int to) {
        int h = to - from;
        for (int i = from; i < to; i++) {
            h = 31 * h + text.charAt(i);
        }
        h *= 0x9E3779B9;
        return h ^ h >>> 15;
    }

    private record Entry(String key, int hash, int[] ids) {
        boolean matches(String text, int from, int to, int h) {
            int length = to - from;
            return hash == h && key.length() == length && key.regionMatches(0, text, from, length);
        }
    }
}
