package io.github.vectorlm.checkpoint.pickle;

import java.util.ArrayList;

/**
 * A Python set or frozenset while unpickling: its items in pickle order. Content shows it as a
 * list, since its items need not be hashable in Java terms (a tuple of lists is fine in a
 * pickle's set of tensors, say) and a pickle writes each item once anyway.
 */
public final class PySet extends ArrayList<Object> {
    private static final long serialVersionUID = 1L;

    /** An empty set. */
    public PySet() {
    }
}
