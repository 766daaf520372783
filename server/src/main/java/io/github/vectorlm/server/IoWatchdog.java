package io.github.vectorlm.server;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Bounds blocking socket I/O in time. A socket's read timeout restarts with every byte, so a
 * client sending one byte a second, or one that stops reading a stream, would hold its handler
 * forever; {@link #arm} instead interrupts the calling (virtual) thread when the whole operation
 * overruns, and interrupting a virtual thread blocked in socket I/O closes the socket.
 */
final class IoWatchdog implements AutoCloseable {
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "vectorlm-server-io-watchdog");
        t.setDaemon(true);
        return t;
    });

    /** A deadline on the calling thread's I/O; close it when the operation is over. */
    Deadline arm(Duration timeout) {
        Deadline d = new Deadline(Thread.currentThread());
        d.task = timer.schedule(d::fire, timeout.toNanos(), TimeUnit.NANOSECONDS);
        return d;
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }

    /** One armed deadline. */
    static final class Deadline implements AutoCloseable {
        private final Thread thread;
        private ScheduledFuture<?> task;
        private boolean fired;
        private boolean closed;

        private Deadline(Thread thread) {
            this.thread = thread;
        }

        private synchronized void fire() {
            if (!closed) {
                fired = true;
                thread.interrupt();
            }
        }

        /** Whether the deadline passed (the thread was interrupted and its socket closed). */
        synchronized boolean expired() {
            return fired;
        }

        /** Disarms it; clears the interrupt it caused, if it fired. */
        @Override
        public void close() {
            task.cancel(false);
            synchronized (this) {
                closed = true;
                if (fired) {
                    Thread.interrupted();
                }
            }
        }
    }
}
