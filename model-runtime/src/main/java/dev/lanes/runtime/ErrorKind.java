package dev.lanes.runtime;

/**
 * What went wrong, independent of the wire. The server maps each kind to an HTTP status and a
 * gRPC status in exactly one place, so adding a kind fails that build until it is mapped.
 */
public enum ErrorKind {
    /** The request is malformed or does not match the model's signature. */
    INVALID_INPUT,
    /** No such model, or no such version of it. */
    MODEL_NOT_FOUND,
    /** The request body, a tensor or an element count is over a configured limit. */
    PAYLOAD_TOO_LARGE,
    /** The model exists but is loading or failed to load. */
    MODEL_NOT_READY,
    /** The model's queue is full; the client should retry later. */
    OVERLOADED,
    /** The node is draining and no longer admits work. */
    SHUTTING_DOWN,
    /** The request's timeout passed before it could run. */
    DEADLINE_EXCEEDED,
    /** The client gave up on the request (a cancelled gRPC call); nobody reads the answer. */
    CANCELLED,
    /** A protected endpoint was called without a bearer token. */
    UNAUTHENTICATED,
    /** A protected endpoint was called with a token that is not the configured one. */
    PERMISSION_DENIED,
    /** ONNX Runtime or the server failed on a request that was valid. */
    RUNTIME_FAILURE
}
