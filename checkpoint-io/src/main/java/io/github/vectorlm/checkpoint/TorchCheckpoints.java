package io.github.vectorlm.checkpoint;

import io.github.vectorlm.checkpoint.torch.TorchLegacyReader;
import io.github.vectorlm.checkpoint.torch.TorchZipReader;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Opens {@code torch.save} files: the zip format (PyTorch ≥ 1.6) and the legacy stream. Both read
 * the pickle with a restricted VM that builds data only, validate every tensor against its
 * storage, and map the file so that tensors view it in place.
 *
 * <h2>Tensor names</h2>
 * A tensor is named by its path from the pickled root object: dict keys and list/tuple indices
 * joined by {@code '.'}. A plain state dict gives {@code transformer.wte.weight}; a nanoGPT
 * checkpoint dict gives {@code model._orig_mod.transformer.wte.weight},
 * {@code optimizer.state.0.exp_avg} and {@code best_val_loss} (a 0-d tensor). Int keys are written
 * in decimal, {@code True}/{@code False}/{@code None} as such, tuple keys as {@code (a, b)}. A
 * storage pickled on its own reads as a 1-D tensor. Inside an object of a caller's extra global
 * ({@link PickledObject}), tensors are named {@code <path>.args.<i>} and {@code <path>.state...}.
 * A tensor that is the whole file is named {@code ""}. A container the pickle shares between places is named at its first place only; a
 * tensor object shared between places (tied weights saved as one object) gets a name at each.
 * If two paths spell the same name, later ones get {@code #2}, {@code #3}, .... The order of
 * {@link Checkpoint#tensorNames()} is the file's (depth first, as pickled).
 *
 * <h2>Content</h2>
 * {@link Checkpoint#content()} is the whole unpickled object: dicts and OrderedDicts as
 * insertion-ordered {@code Map}s, lists, tuples, sets and {@code torch.Size} as {@code List}s,
 * {@code str}, {@code bytes}/{@code bytearray} as {@code byte[]}, ints as {@code Long} or
 * {@code BigInteger}, floats as {@code Double}, bools, None as null, tensors as
 * {@link TensorRef}, dtypes as their names ({@code "torch.float16"}), devices as
 * {@code "cuda:0"}-style strings, objects of callers' extra globals as {@link PickledObject}.
 * Python attributes of OrderedDicts (a state dict's {@code _metadata}) and of tensors are dropped.
 */
final class TorchCheckpoints {
    private TorchCheckpoints() {
    }

    /** Opens a torch zip file; see {@link TorchZipReader}. */
    static Checkpoint openZip(Path file, CheckpointOptions options) throws IOException {
        return TorchZipReader.open(file, options);
    }

    /** Opens a legacy torch file; see {@link TorchLegacyReader}. */
    static Checkpoint openLegacy(Path file, CheckpointOptions options) throws IOException {
        return TorchLegacyReader.open(file, options);
    }
}
