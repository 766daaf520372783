package io.github.vectorlm.checkpoint.pickle;

import java.util.Map;

/**
 * The part of unpickling that gives meaning to globals: which ones exist, what calling them makes,
 * and what persistent ids stand for. {@link PickleMachine} handles everything else (the stack, the
 * memo, containers and scalars) and never runs anything: a handler only builds data.
 */
public interface PickleHandler {
    /**
     * The object a {@code GLOBAL}, {@code STACK_GLOBAL} or {@code INST} names. Refusing is the
     * point: anything not explicitly allowed must throw {@link PickleException.Kind#UNSAFE}
     * naming {@code module.name}.
     */
    Object global(String module, String name) throws PickleException;

    /** {@code REDUCE} (and {@code INST}/{@code OBJ}): {@code callable(*args)}, as data. */
    Object reduce(Object callable, PyTuple args) throws PickleException;

    /** {@code NEWOBJ} / {@code NEWOBJ_EX}: {@code cls.__new__(cls, *args, **kwargs)}, as data. */
    Object newObject(Object cls, PyTuple args, Map<Object, Object> kwargs) throws PickleException;

    /** {@code BUILD}: applies {@code state} to {@code target}; returns what stays on the stack. */
    Object build(Object target, Object state) throws PickleException;

    /** {@code PERSID} / {@code BINPERSID}: the object a persistent id stands for. */
    Object persistentLoad(Object pid) throws PickleException;
}
