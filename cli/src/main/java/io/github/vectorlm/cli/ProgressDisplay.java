package io.github.vectorlm.cli;

import io.github.vectorlm.generation.ProgressListener;
import java.io.PrintWriter;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Shows the progress of long tasks (model loading, NeoX partition merges, downloads) on stderr:
 * a progress bar (me.tongfei:progressbar) when stderr is a terminal, plain lines when it is not.
 *
 * <p>Short tasks show nothing: a bar appears only once a task has run for {@value #SHOW_AFTER_MILLIS}
 * ms, and plain mode prints a line every {@value #LINE_EVERY_MILLIS} ms of a running task and one
 * when a task that took that long finishes. This keeps quick commands quiet and keeps the terminal
 * library out of a cold start that does not need it.
 */
final class ProgressDisplay implements ProgressListener, AutoCloseable {
    static final long SHOW_AFTER_MILLIS = 400;
    static final long LINE_EVERY_MILLIS = 5000;

    private final PrintWriter err;
    private final boolean terminal;
    private final LongSupplier nanoClock;
    private final Map<String, Task> tasks = new HashMap<>();

    /**
     * @param err where plain lines go (bars write to the process's stderr)
     * @param terminal whether stderr is a terminal
     * @param nanoClock the clock, {@code System::nanoTime} outside tests
     */
    ProgressDisplay(PrintWriter err, boolean terminal, LongSupplier nanoClock) {
        this.err = err;
        this.terminal = terminal;
        this.nanoClock = nanoClock;
    }

    /** Progress counted in items (layers, tensors); {@code total} -1 when unknown. */
    @Override
    public synchronized void progress(String task, long done, long total) {
        update(task, done, total, false);
    }

    /** Progress counted in bytes (downloads, conversions), shown in MiB. */
    synchronized void bytes(String task, long done, long total) {
        update(task, done, total, true, null);
    }

    /** As {@link #bytes(String, long, long)}, with a note shown beside the bar or line (rates, counts). */
    synchronized void bytes(String task, long done, long total, String note) {
        update(task, done, total, true, note);
    }

    private void update(String name, long done, long total, boolean bytes) {
        update(name, done, total, bytes, null);
    }

    private void update(String name, long done, long total, boolean bytes, String note) {
        long now = nanoClock.getAsLong();
        Task task = tasks.computeIfAbsent(name, n -> new Task(n, now, bytes));
        task.note = note;
        boolean finished = total >= 0 && done >= total;
        long elapsedMillis = (now - task.started) / 1_000_000;
        if (terminal) {
            if (task.bar == null && !finished && elapsedMillis >= SHOW_AFTER_MILLIS) {
                task.bar = newBar(task, total);
            }
            if (task.bar != null) {
                if (total >= 0 && total != task.bar.getMax()) {
                    task.bar.maxHint(scaled(task, total));
                }
                task.bar.stepTo(scaled(task, done));
                if (note != null) {
                    task.bar.setExtraMessage(" " + note);
                }
            }
        } else if (!finished && (now - task.lastLine) / 1_000_000 >= LINE_EVERY_MILLIS) {
            task.lastLine = now;
            err.println(name + ": " + amount(task, done, total) + (note == null ? "" : ", " + note));
            err.flush();
        }
        if (finished) {
            tasks.remove(name);
            if (task.bar != null) {
                task.bar.close();
            } else if (!terminal && elapsedMillis >= LINE_EVERY_MILLIS) {
                err.println(name + ": done, " + amount(task, done, total) + String.format(Locale.ROOT, " in %.1f s", elapsedMillis / 1000.0)
                        + (task.note == null ? "" : ", " + task.note));
                err.flush();
            }
        }
    }

    /** Closes any bar left open (a task that failed half way). */
    @Override
    public synchronized void close() {
        for (Task task : tasks.values()) {
            if (task.bar != null) {
                task.bar.close();
            }
        }
        tasks.clear();
    }

    private static ProgressBar newBar(Task task, long total) {
        ProgressBarBuilder builder = new ProgressBarBuilder()
                .setTaskName(task.name)
                .setInitialMax(scaled(task, total))
                .setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(200)
                .setMaxRenderedLength(100)
                .clearDisplayOnFinish()
                .startsFrom(0, java.time.Duration.ofNanos(System.nanoTime() - task.started));
        if (task.bytes) {
            builder.setUnit(" MiB", 1024).showSpeed(new java.text.DecimalFormat("0.0"));
        }
        return builder.build();
    }

    /** Bytes become whole KiB for the bar (it counts in longs and shows them divided by the unit). */
    private static long scaled(Task task, long value) {
        return task.bytes && value > 0 ? value / 1024 : value;
    }

    private static String amount(Task task, long done, long total) {
        if (task.bytes) {
            String d = String.format(Locale.ROOT, "%.1f", done / 1048576.0);
            return total < 0 ? d + " MiB" : d + " of " + String.format(Locale.ROOT, "%.1f MiB (%d%%)", total / 1048576.0,
                    total == 0 ? 100 : done * 100 / total);
        }
        return total < 0 ? Long.toString(done) : done + " of " + total;
    }

    private static final class Task {
        final String name;
        final long started;
        final boolean bytes;
        long lastLine;
        String note;
        ProgressBar bar;

        Task(String name, long started, boolean bytes) {
            this.name = name;
            this.started = started;
            this.bytes = bytes;
            this.lastLine = started;
        }
    }
}
