package io.github.vectorlm.checkpoint.pickle;

import java.util.AbstractList;
import java.util.RandomAccess;

/**
 * A Python tuple: an immutable list to its users. Only {@link ContentWalker} replaces elements,
 * once, when it turns internal objects into their public form.
 */
public final class PyTuple extends AbstractList<Object> implements RandomAccess {
    private static final Object[] NONE = new Object[0];

    private final Object[] items;

    /** A tuple holding {@code items} (not copied: the caller hands the array over). */
    public PyTuple(Object... items) {
        this.items = items.length == 0 ? NONE : items;
    }

    @Override
    public Object get(int index) {
        return items[index];
    }

    @Override
    public int size() {
        return items.length;
    }

    void replace(int index, Object value) {
        items[index] = value;
    }
}
