package io.github.vectorlm.decoder;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** What a model closes when it is closed, in order: the checkpoint its weights view, copies, its pool. */
public final class Closeables {
    private Closeables() {
    }

    /**
     * One resource that closes {@code resources} in order (nulls skipped), every one of them even
     * when one fails; the first failure is thrown, later ones added to it as suppressed.
     *
     * @param resources what to close
     * @return the combined resource
     */
    public static AutoCloseable inOrder(AutoCloseable... resources) {
        List<AutoCloseable> list = new ArrayList<>(Arrays.asList(resources));
        list.removeIf(r -> r == null);
        return new AutoCloseable() {
            @Override
            public void close() throws Exception {
                Exception first = null;
                for (AutoCloseable r : list) {
                    try {
                        r.close();
                    } catch (Exception e) {
                        if (first == null) {
                            first = e;
                        } else {
                            first.addSuppressed(e);
                        }
                    }
                }
                if (first != null) {
                    throw first;
                }
            }

            @Override
            public String toString() {
                return list.toString();
            }
        };
    }

    /**
     * Closes {@code resources} after {@code failure} (nulls skipped); what they throw is added to
     * {@code failure} as suppressed.
     *
     * @param failure the failure that ends the loading, rethrown by the caller
     * @param resources what was opened before it
     */
    public static void closeAfter(Throwable failure, AutoCloseable... resources) {
        try {
            inOrder(resources).close();
        } catch (Exception e) {
            failure.addSuppressed(e);
        }
    }
}
