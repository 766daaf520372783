package io.github.vectorlm.spark;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;

/**
 * Streams a partition through the engine: inputs are submitted as they are read, at most
 * {@code window} of them in flight, and the results come out in input order. The partition is
 * never held whole: reading input {@code window + k} waits until result {@code k} is taken.
 *
 * @param <I> an input row
 * @param <O> an output row
 */
final class InFlightWindow<I, O> implements Iterator<O> {
    private final Iterator<I> input;
    private final Function<I, CompletableFuture<O>> submit;
    private final int window;
    private final ArrayDeque<CompletableFuture<O>> inFlight = new ArrayDeque<>();

    /**
     * @param input the partition's rows
     * @param submit starts one row's work and returns its output row's future
     * @param window the most rows in flight, at least 1
     */
    InFlightWindow(Iterator<I> input, Function<I, CompletableFuture<O>> submit, int window) {
        if (window < 1) {
            throw new IllegalArgumentException("a window of " + window + " rows in flight: at least 1");
        }
        this.input = input;
        this.submit = submit;
        this.window = window;
    }

    @Override
    public boolean hasNext() {
        fill();
        return !inFlight.isEmpty();
    }

    @Override
    public O next() {
        fill();
        CompletableFuture<O> head = inFlight.poll();
        if (head == null) {
            throw new NoSuchElementException();
        }
        try {
            return head.join();
        } catch (CompletionException | CancellationException e) {
            cancelAll();
            throw e;
        }
    }

    /** How many rows are in flight now; for tests. */
    int inFlight() {
        return inFlight.size();
    }

    private void fill() {
        while (inFlight.size() < window && input.hasNext()) {
            try {
                inFlight.add(submit.apply(input.next()));
            } catch (RuntimeException e) {
                cancelAll();
                throw e;
            }
        }
    }

    /** Cancels what is in flight: the task failed, so nobody will take those results. */
    private void cancelAll() {
        for (CompletableFuture<O> f : inFlight) {
            f.cancel(true);
        }
        inFlight.clear();
    }
}
