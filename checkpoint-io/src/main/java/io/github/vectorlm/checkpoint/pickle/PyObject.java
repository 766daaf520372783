package io.github.vectorlm.checkpoint.pickle;

/**
 * An instance of a caller-allowed global while unpickling: what was called, with which
 * arguments, and the state {@code BUILD} gave it. Mutable because {@code BUILD} comes after the
 * object may already sit in the memo; {@link ContentWalker} turns it into a
 * {@link io.github.vectorlm.checkpoint.PickledObject}.
 */
public final class PyObject {
    private final String module;
    private final String name;
    private final PyTuple args;
    private Object state;

    /** An object made by calling {@code module.name(*args)}. */
    public PyObject(String module, String name, PyTuple args) {
        this.module = module;
        this.name = name;
        this.args = args;
    }

    /** The global's module. */
    public String module() {
        return module;
    }

    /** The global's name. */
    public String name() {
        return name;
    }

    /** The call's arguments. */
    public PyTuple args() {
        return args;
    }

    /** The state set by {@code BUILD}, or null. */
    public Object state() {
        return state;
    }

    /** Sets the state ({@code BUILD}). */
    public void setState(Object state) {
        this.state = state;
    }
}
