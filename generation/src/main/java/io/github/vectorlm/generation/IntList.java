package io.github.vectorlm.generation;

import java.util.Arrays;

/**
 * A growable list of ints, for collecting token ids without boxing; reusable through
 * {@link #clear()}, so that a loop that tokenizes many texts ({@link Tokenizer#encode(String, IntList)})
 * allocates nothing per text once the list is large enough. Not thread-safe.
 */
public final class IntList {
    private int[] items;
    private int size;

    /** An empty list with room for {@code capacity} ids. */
    public IntList(int capacity) {
        items = new int[Math.max(4, capacity)];
    }

    /** Appends one value. */
    public void add(int value) {
        if (size == items.length) {
            items = Arrays.copyOf(items, Math.multiplyExact(items.length, 2));
        }
        items[size++] = value;
    }

    /** Appends all of {@code values}. */
    public void addAll(int[] values) {
        if (size + values.length > items.length) {
            items = Arrays.copyOf(items, Math.max(Math.multiplyExact(items.length, 2), size + values.length));
        }
        System.arraycopy(values, 0, items, size, values.length);
        size += values.length;
    }

    /** The value at {@code index}. */
    public int get(int index) {
        if (index < 0 || index >= size) {
            throw new IndexOutOfBoundsException("index " + index + " of " + size);
        }
        return items[index];
    }

    /** Empties the list, keeping its room. */
    public void clear() {
        size = 0;
    }

    /** Number of values. */
    public int size() {
        return size;
    }

    /** A copy of the values. */
    public int[] toArray() {
        return Arrays.copyOf(items, size);
    }
}
