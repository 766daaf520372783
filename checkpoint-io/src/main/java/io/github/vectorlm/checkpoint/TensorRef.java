package io.github.vectorlm.checkpoint;

/**
 * Stands for a tensor inside {@link Checkpoint#content()}: fetch it with
 * {@code checkpoint.tensor(ref.name())}.
 *
 * @param name the tensor's name in {@link Checkpoint#tensorNames()}
 */
public record TensorRef(String name) {
}
