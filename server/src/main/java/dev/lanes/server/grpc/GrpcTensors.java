package dev.lanes.server.grpc;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import dev.lanes.runtime.InferenceException;
import dev.lanes.runtime.model.CheckedInputs;
import dev.lanes.runtime.model.ModelSignature;
import dev.lanes.runtime.tensor.BytesElements;
import dev.lanes.runtime.tensor.DataType;
import dev.lanes.runtime.tensor.DirectBufferPool;
import dev.lanes.runtime.tensor.Shapes;
import dev.lanes.runtime.tensor.Tensor;
import dev.lanes.server.grpc.proto.InferParameter;
import dev.lanes.server.grpc.proto.InferTensorContents;
import dev.lanes.server.grpc.proto.ModelInferRequest;
import dev.lanes.server.grpc.proto.ModelInferResponse;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * ModelInfer's tensors: inputs from typed contents or {@code raw_input_contents} into pooled
 * direct buffers, checked against the signature before anything is allocated; outputs as
 * {@code raw_output_contents} wrapping the batch's output views without another copy.
 */
final class GrpcTensors {
    private final DirectBufferPool pool;
    private final long maxTensorElements;

    GrpcTensors(DirectBufferPool pool, long maxTensorElements) {
        this.pool = pool;
        this.maxTensorElements = maxTensorElements;
    }

    /** Decoded inputs, each checked against the signature before its data is read; the caller owns them. */
    CheckedInputs inputs(ModelInferRequest request, ModelSignature signature) {
        boolean raw = request.getRawInputContentsCount() > 0;
        if (raw && request.getRawInputContentsCount() != request.getInputsCount()) {
            throw InferenceException.invalidInput("raw_input_contents has %d entries for %d inputs",
                    request.getRawInputContentsCount(), request.getInputsCount());
        }
        List<Tensor> tensors = new ArrayList<>(request.getInputsCount());
        try {
            for (int i = 0; i < request.getInputsCount(); i++) {
                ModelInferRequest.InferInputTensor input = request.getInputs(i);
                String name = input.getName();
                DataType type = DataType.fromV2Name(input.getDatatype()).orElseThrow(() ->
                        InferenceException.invalidInput("input '%s' has invalid datatype '%s'", name, input.getDatatype()));
                long[] shape = input.getShapeList().stream().mapToLong(Long::longValue).toArray();
                long count = Shapes.elementCount(name, shape, maxTensorElements);
                signature.checkInput(name, type, shape);
                if (raw) {
                    if (input.hasContents()) {
                        throw InferenceException.invalidInput(
                                "input '%s' has contents although the request uses raw_input_contents", name);
                    }
                    tensors.add(fromRaw(name, type, shape, count, request.getRawInputContents(i)));
                } else {
                    tensors.add(fromContents(name, type, shape, count, input.getContents()));
                }
            }
            return signature.order(tensors);
        } catch (RuntimeException e) {
            tensors.forEach(Tensor::close);
            throw e;
        }
    }

    private Tensor fromRaw(String name, DataType type, long[] shape, long count, ByteString bytes) {
        if (!type.isFixedSize()) {
            ByteBuffer data = ByteBuffer.wrap(bytes.toByteArray()).order(ByteOrder.nativeOrder());
            BytesElements.checkCount(name, data, count);
            return Tensor.of(name, type, shape, data);
        }
        long expected = count * type.byteSize();
        if (bytes.size() != expected) {
            throw InferenceException.invalidInput("input '%s' has %d bytes of raw contents but shape %s of %s needs %d",
                    name, bytes.size(), Arrays.toString(shape), type, expected);
        }
        ByteBuffer buffer = pool.acquire(bytes.size());
        bytes.copyTo(buffer);
        return Tensor.pooled(name, type, shape, buffer.flip(), pool);
    }

    private Tensor fromContents(String name, DataType type, long[] shape, long count, InferTensorContents contents) {
        int size = switch (type) {
            case BOOL -> contents.getBoolContentsCount();
            case INT8, INT16, INT32 -> contents.getIntContentsCount();
            case INT64 -> contents.getInt64ContentsCount();
            case UINT8, UINT16, UINT32 -> contents.getUintContentsCount();
            case UINT64 -> contents.getUint64ContentsCount();
            case FP32 -> contents.getFp32ContentsCount();
            case FP64 -> contents.getFp64ContentsCount();
            case BYTES -> contents.getBytesContentsCount();
            case FP16, BF16 -> throw InferenceException.invalidInput(
                    "input '%s': %s data must be sent in raw_input_contents", name, type);
        };
        if (size != count) {
            throw InferenceException.invalidInput("input '%s' has %d elements in contents but its shape %s needs %d",
                    name, size, Arrays.toString(shape), count);
        }
        if (type == DataType.BYTES) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (ByteString element : contents.getBytesContentsList()) {
                int length = element.size();
                out.write(length);
                out.write(length >>> 8);
                out.write(length >>> 16);
                out.write(length >>> 24);
                out.writeBytes(element.toByteArray());
            }
            ByteBuffer data = ByteBuffer.wrap(out.toByteArray()).order(ByteOrder.nativeOrder());
            BytesElements.checkCount(name, data, count); // each element UTF-8, as the raw form is checked
            return Tensor.of(name, type, shape, data);
        }
        ByteBuffer buffer = pool.acquire(Math.toIntExact(count * type.byteSize()));
        Tensor tensor = Tensor.pooled(name, type, shape, buffer, pool);
        try {
            for (int i = 0; i < size; i++) {
                switch (type) {
                    case BOOL -> buffer.put((byte) (contents.getBoolContents(i) ? 1 : 0));
                    case INT8 -> buffer.put((byte) ranged(name, type, contents.getIntContents(i), Byte.MIN_VALUE, Byte.MAX_VALUE));
                    case INT16 -> buffer.putShort((short) ranged(name, type, contents.getIntContents(i), Short.MIN_VALUE, Short.MAX_VALUE));
                    case INT32 -> buffer.putInt(contents.getIntContents(i));
                    case INT64 -> buffer.putLong(contents.getInt64Contents(i));
                    case UINT8 -> buffer.put((byte) ranged(name, type, Integer.toUnsignedLong(contents.getUintContents(i)), 0, 255));
                    case FP32 -> buffer.putFloat(contents.getFp32Contents(i));
                    case FP64 -> buffer.putDouble(contents.getFp64Contents(i));
                    default -> throw InferenceException.invalidInput("input '%s': datatype %s is not supported", name, type);
                }
            }
            buffer.flip();
            return tensor;
        } catch (RuntimeException e) {
            tensor.close();
            throw e;
        }
    }

    private static long ranged(String name, DataType type, long value, long min, long max) {
        if (value < min || value > max) {
            throw InferenceException.invalidInput("input '%s': %d is out of range for %s", name, value, type);
        }
        return value;
    }

    /** Requested outputs by name; an output's {@code classification} parameter is refused. */
    static Set<String> requestedOutputs(ModelInferRequest request) {
        Set<String> names = new LinkedHashSet<>();
        for (ModelInferRequest.InferRequestedOutputTensor output : request.getOutputsList()) {
            if (output.containsParameters("classification")) {
                throw InferenceException.invalidInput("the classification extension is not supported");
            }
            names.add(output.getName());
        }
        return names;
    }

    /** The request's {@code timeout} parameter in microseconds, 0 when absent. */
    static long timeoutMicros(ModelInferRequest request) {
        InferParameter timeout = request.getParametersMap().get("timeout");
        if (timeout == null) {
            return 0;
        }
        long value = switch (timeout.getParameterChoiceCase()) {
            case INT64_PARAM -> timeout.getInt64Param();
            // a uint64 past 2^63 reads negative in Java: it is a timeout of ages, not a negative one
            case UINT64_PARAM -> timeout.getUint64Param() < 0 ? Long.MAX_VALUE : timeout.getUint64Param();
            default -> -1;
        };
        if (value < 0) {
            throw InferenceException.invalidInput("parameter 'timeout' must be a non-negative integer (microseconds)");
        }
        return value;
    }

    /** The {@code cache_bypass} parameter: answer from the model, not the prediction cache. */
    static boolean cacheBypass(ModelInferRequest request) {
        InferParameter bypass = request.getParametersMap().get("cache_bypass");
        if (bypass == null) {
            return false;
        }
        if (bypass.getParameterChoiceCase() != InferParameter.ParameterChoiceCase.BOOL_PARAM) {
            throw InferenceException.invalidInput("parameter 'cache_bypass' must be a bool");
        }
        return bypass.getBoolParam();
    }

    /** The response, outputs in raw_output_contents as Triton sends them. */
    static ModelInferResponse response(String model, long version, String id, List<Tensor> outputs) {
        ModelInferResponse.Builder response = ModelInferResponse.newBuilder()
                .setModelName(model)
                .setModelVersion(Long.toString(version))
                .setId(id);
        for (Tensor output : outputs) {
            ModelInferResponse.InferOutputTensor.Builder tensor = response.addOutputsBuilder()
                    .setName(output.name())
                    .setDatatype(output.dataType().name());
            for (long dim : output.shape()) {
                tensor.addShape(dim);
            }
            // Output views are never written again, so wrapping them without a copy is safe.
            response.addRawOutputContents(UnsafeByteOperations.unsafeWrap(output.data()));
        }
        return response.build();
    }
}
