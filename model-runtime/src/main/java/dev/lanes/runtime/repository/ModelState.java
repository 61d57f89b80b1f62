package dev.lanes.runtime.repository;

/** A model version's state, named as Triton's repository index names them. */
public enum ModelState {
    LOADING,
    READY,
    UNAVAILABLE
}
