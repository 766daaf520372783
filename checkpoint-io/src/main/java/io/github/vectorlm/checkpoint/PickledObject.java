package io.github.vectorlm.checkpoint;

import java.util.List;

/**
 * An object a pickle built by calling a global the caller allowed through
 * {@link CheckpointOptions#extraPickleGlobals()}: recorded as data, never called. It appears in
 * {@link Checkpoint#content()} where the object stood.
 *
 * @param module the global's module, e.g. {@code numpy.core.multiarray}
 * @param name the global's name, e.g. {@code scalar}
 * @param args the arguments it was called with (content values, as everywhere in {@code content()})
 * @param state what the pickle's {@code BUILD} gave it (often a {@code Map} of attributes), or null
 */
public record PickledObject(String module, String name, List<Object> args, Object state) {
    /** {@code module.name}. */
    public String qualifiedName() {
        return module + "." + name;
    }
}
