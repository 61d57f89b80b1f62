package dev.lanes.runtime.testing;

import com.google.protobuf.CodedOutputStream;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes small ONNX models straight as protobuf bytes (field numbers from onnx.proto), so tests
 * and the demo repository need no Python and no third-party model files.
 */
public final class OnnxModelWriter {
    /** ONNX TensorProto.DataType values. */
    public enum Elem {
        FLOAT(1), UINT8(2), INT8(3), UINT16(4), INT16(5), INT32(6), INT64(7), STRING(8), BOOL(9), FLOAT16(10),
        DOUBLE(11), UINT32(12), UINT64(13), BFLOAT16(16);

        final int code;

        Elem(int code) {
            this.code = code;
        }

        public int code() {
            return code;
        }
    }

    private static final long IR_VERSION = 8;
    private static final long OPSET = 17;

    private final String graphName;
    private final List<byte[]> nodes = new ArrayList<>();
    private final List<byte[]> initializers = new ArrayList<>();
    private final List<byte[]> inputs = new ArrayList<>();
    private final List<byte[]> outputs = new ArrayList<>();

    public OnnxModelWriter(String graphName) {
        this.graphName = graphName;
    }

    /** A graph input; a dim of -1 is dynamic (written as a named dim_param). */
    public OnnxModelWriter input(String name, Elem type, long... dims) {
        inputs.add(valueInfo(name, type, dims));
        return this;
    }

    public OnnxModelWriter output(String name, Elem type, long... dims) {
        outputs.add(valueInfo(name, type, dims));
        return this;
    }

    public OnnxModelWriter floatInitializer(String name, long[] dims, float... values) {
        ByteBuffer raw = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float value : values) {
            raw.putFloat(value);
        }
        initializers.add(tensor(name, Elem.FLOAT, dims, raw.array()));
        return this;
    }

    public OnnxModelWriter doubleInitializer(String name, long[] dims, double... values) {
        ByteBuffer raw = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (double value : values) {
            raw.putDouble(value);
        }
        initializers.add(tensor(name, Elem.DOUBLE, dims, raw.array()));
        return this;
    }

    public OnnxModelWriter int64Initializer(String name, long[] dims, long... values) {
        ByteBuffer raw = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (long value : values) {
            raw.putLong(value);
        }
        initializers.add(tensor(name, Elem.INT64, dims, raw.array()));
        return this;
    }

    /** A node; attributes come from {@link #intAttribute}. */
    public OnnxModelWriter node(String opType, List<String> in, List<String> out, byte[]... attributes) {
        nodes.add(message(stream -> {
            for (String name : in) {
                stream.writeString(1, name);
            }
            for (String name : out) {
                stream.writeString(2, name);
            }
            stream.writeString(3, opType + "_" + nodes.size());
            stream.writeString(4, opType);
            for (byte[] attribute : attributes) {
                stream.writeByteArray(5, attribute);
            }
        }));
        return this;
    }

    public static byte[] intAttribute(String name, long value) {
        return message(stream -> {
            stream.writeString(1, name);
            stream.writeInt64(3, value);
            stream.writeInt32(20, 2); // AttributeType.INT
        });
    }

    public byte[] toBytes() {
        byte[] graph = message(stream -> {
            for (byte[] node : nodes) {
                stream.writeByteArray(1, node);
            }
            stream.writeString(2, graphName);
            for (byte[] initializer : initializers) {
                stream.writeByteArray(5, initializer);
            }
            for (byte[] input : inputs) {
                stream.writeByteArray(11, input);
            }
            for (byte[] output : outputs) {
                stream.writeByteArray(12, output);
            }
        });
        byte[] opset = message(stream -> {
            stream.writeString(1, "");
            stream.writeInt64(2, OPSET);
        });
        return message(stream -> {
            stream.writeInt64(1, IR_VERSION);
            stream.writeString(2, "lanes-tests");
            stream.writeByteArray(7, graph);
            stream.writeByteArray(8, opset);
        });
    }

    public Path write(Path file) {
        try {
            Files.createDirectories(file.getParent());
            return Files.write(file, toBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] valueInfo(String name, Elem type, long[] dims) {
        byte[] shape = message(stream -> {
            for (int i = 0; i < dims.length; i++) {
                int index = i;
                stream.writeByteArray(1, message(dim -> {
                    if (dims[index] < 0) {
                        dim.writeString(2, index == 0 ? "batch" : "d" + index);
                    } else {
                        dim.writeInt64(1, dims[index]);
                    }
                }));
            }
        });
        byte[] tensorType = message(stream -> {
            stream.writeInt32(1, type.code);
            stream.writeByteArray(2, shape);
        });
        byte[] typeProto = message(stream -> stream.writeByteArray(1, tensorType));
        return message(stream -> {
            stream.writeString(1, name);
            stream.writeByteArray(2, typeProto);
        });
    }

    private static byte[] tensor(String name, Elem type, long[] dims, byte[] raw) {
        return message(stream -> {
            for (long dim : dims) {
                stream.writeInt64(1, dim);
            }
            stream.writeInt32(2, type.code);
            stream.writeString(8, name);
            stream.writeByteArray(9, raw);
        });
    }

    private interface Body {
        void write(CodedOutputStream stream) throws IOException;
    }

    private static byte[] message(Body body) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            CodedOutputStream stream = CodedOutputStream.newInstance(bytes);
            body.write(stream);
            stream.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
