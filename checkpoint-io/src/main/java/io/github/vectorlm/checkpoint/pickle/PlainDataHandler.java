package io.github.vectorlm.checkpoint.pickle;

import java.util.Map;

/** A handler for pickles that must hold plain data only: every global and persistent id is refused. */
public final class PlainDataHandler implements PickleHandler {
    /** A handler that refuses everything but plain data. */
    public PlainDataHandler() {
    }

    @Override
    public Object global(String module, String name) throws PickleException {
        throw PickleException.unsafe("global " + module + "." + name + " where only plain data may stand; refused");
    }

    @Override
    public Object reduce(Object callable, PyTuple args) throws PickleException {
        throw PickleException.corrupt("REDUCE on " + PickleMachine.describe(callable));
    }

    @Override
    public Object newObject(Object cls, PyTuple args, Map<Object, Object> kwargs) throws PickleException {
        throw PickleException.corrupt("NEWOBJ on " + PickleMachine.describe(cls));
    }

    @Override
    public Object build(Object target, Object state) throws PickleException {
        throw PickleException.corrupt("BUILD on " + PickleMachine.describe(target));
    }

    @Override
    public Object persistentLoad(Object pid) throws PickleException {
        throw PickleException.corrupt("a persistent id where only plain data may stand");
    }
}
