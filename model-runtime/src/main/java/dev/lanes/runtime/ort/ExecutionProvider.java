package dev.lanes.runtime.ort;

/** The ONNX Runtime execution provider an instance actually runs on. */
public enum ExecutionProvider {
    CPU,
    CUDA
}
