package io.github.vectorlm.generation;

import java.util.Arrays;

/** A growable list of ints, for collecting token ids without boxing. */
final class IntList {
    private int[] items;
    private int size;

    /** An empty list with room for {@code capacity} ids. */
    IntList(int capacity) {
        items = new int[Math.max(4, capacity)];
    }

    void add(int value) {
        if (size == items.length) {
            items = Arrays.copyOf(items, Math.multiplyExact(items.length, 2));
        }
        items[size++] = value;
    }

    void addAll(int[] values) {
        if (size + values.length > items.length) {
            items = Arrays.copyOf(items, Math.max(Math.multiplyExact(items.length, 2), size + values.length));
        }
        System.arraycopy(values, 0, items, size, values.length);
        size += values.length;
    }

    int size() {
        return size;
    }

    int[] toArray() {
        return Arrays.copyOf(items, size);
    }
}
