package dev.lanes.runtime.batch;

/** What happened to a request offered to a batcher; offering never blocks. */
public enum Admission {
    ACCEPTED,
    QUEUE_FULL,
    SHUTTING_DOWN
}
