package io.github.vectorlm.langchain4j;

import io.github.vectorlm.generation.Engine;

/**
 * Runs the application's streaming handlers, which are called on an engine's scheduler thread,
 * and refuses a blocking call on that same engine made from inside one: it would wait, forever,
 * for the very thread that has to run it.
 */
final class HandlerCalls {
    /** The engine whose thread is running a handler on this thread, or null. */
    private static final ThreadLocal<Engine> RUNNING_HANDLER_OF = new ThreadLocal<>();

    private HandlerCalls() {
    }

    /** Runs {@code call}, a call of an application handler of a request to {@code engine}. */
    static void run(Engine engine, Runnable call) {
        Engine outer = RUNNING_HANDLER_OF.get();
        RUNNING_HANDLER_OF.set(engine);
        try {
            call.run();
        } finally {
            RUNNING_HANDLER_OF.set(outer);
        }
    }

    /**
     * Throws if the calling thread is inside a handler of a request to {@code engine}.
     *
     * @throws IllegalStateException if it is
     */
    static void refuseBlockingInsideHandler(Engine engine) {
        if (RUNNING_HANDLER_OF.get() == engine) {
            throw new IllegalStateException("a blocking call of this VectorLM model from inside one of its streaming "
                    + "handlers would wait forever for the engine thread that runs the handler: make it from another "
                    + "thread, or stream it");
        }
    }
}
