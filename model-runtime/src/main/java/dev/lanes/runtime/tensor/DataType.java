package dev.lanes.runtime.tensor;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.TensorInfo.OnnxTensorType;

import java.util.Optional;

/**
 * The V2 protocol's tensor datatypes, with their Triton config names and their ONNX Runtime Java
 * types. UINT16, UINT32 and UINT64 exist in the protocol but ORT's Java API cannot create or read
 * them, so a model that uses them fails to load with that reason.
 */
public enum DataType {
    BOOL(1, "TYPE_BOOL", OnnxJavaType.BOOL, OnnxTensorType.ONNX_TENSOR_ELEMENT_DATA_TYPE_BOOL),
    UINT8(1, "TYPE_UINT8", OnnxJavaType.UINT8, OnnxTensorType.ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT8),
    UINT16(2, "TYPE_UINT16", null, OnnxTensorType.ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT16),
    UINT32(4, "TYPE_UINT32", null, OnnxTensorType.ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT32),
    UINT64(8, "TYPE_UINT64", null, OnnxTensorType.ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT64),
    INT8(1, "TYPE_INT8", OnnxJavaType.INT8, OnnxTensorType.ONNX_TENSOR_ELEMENT_DATA_TYPE_INT8),
    INT16(2, "TYPE_INT16", OnnxJavaType.INT16, OnnxTensorType.ONNX_TENSOR_ELEMENT_DATA_TYPE_INT16),
    INT32(4, "TYPE_INT32", OnnxJavaType.INT32, OnnxTensorType.ONNX_TENSOR_ELEMENT_DATA_TYPE_INT32),
    INT64(8, "TYPE_INT64", OnnxJavaType.INT64, OnnxTensorType.ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64),
    FP16(2, "TYPE_FP16", OnnxJavaType.FLOAT16, OnnxTensorType.ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16),
    FP32(4, "TYPE_FP32", OnnxJavaType.FLOAT, OnnxTensorType.ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT),
    FP64(8, "TYPE_FP64", OnnxJavaType.DOUBLE, OnnxTensorType.ONNX_TENSOR_ELEMENT_DATA_TYPE_DOUBLE),
    BF16(2, "TYPE_BF16", OnnxJavaType.BFLOAT16, OnnxTensorType.ONNX_TENSOR_ELEMENT_DATA_TYPE_BFLOAT16),
    /** Variable-length elements; on the wire each is a 4-byte little-endian length and the bytes. */
    BYTES(0, "TYPE_STRING", OnnxJavaType.STRING, OnnxTensorType.ONNX_TENSOR_ELEMENT_DATA_TYPE_STRING);

    private static final DataType[] VALUES = values();

    private final int byteSize;
    private final String tritonName;
    private final OnnxJavaType ortType;
    private final OnnxTensorType onnxType;

    DataType(int byteSize, String tritonName, OnnxJavaType ortType, OnnxTensorType onnxType) {
        this.byteSize = byteSize;
        this.tritonName = tritonName;
        this.ortType = ortType;
        this.onnxType = onnxType;
    }

    /** Bytes per element; 0 for BYTES, whose elements vary in length. */
    public int byteSize() {
        return byteSize;
    }

    public boolean isFixedSize() {
        return byteSize > 0;
    }

    /** The name config.pbtxt uses, e.g. TYPE_FP32. */
    public String tritonName() {
        return tritonName;
    }

    /** Whether ONNX Runtime's Java API can carry this type. */
    public boolean supportedByOrt() {
        return ortType != null;
    }

    public OnnxJavaType ortType() {
        return ortType;
    }

    /** Parses a V2 datatype name exactly as the protocol spells it. */
    public static Optional<DataType> fromV2Name(String name) {
        for (DataType type : VALUES) {
            if (type.name().equals(name)) {
                return Optional.of(type);
            }
        }
        return Optional.empty();
    }

    public static Optional<DataType> fromTritonName(String name) {
        for (DataType type : VALUES) {
            if (type.tritonName.equals(name)) {
                return Optional.of(type);
            }
        }
        return Optional.empty();
    }

    public static Optional<DataType> fromOnnx(OnnxTensorType onnxType) {
        for (DataType type : VALUES) {
            if (type.onnxType == onnxType) {
                return Optional.of(type);
            }
        }
        return Optional.empty();
    }
}
