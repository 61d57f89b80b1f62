package dev.lanes.runtime.testing;

import dev.lanes.runtime.tensor.DataType;
import dev.lanes.runtime.tensor.Tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Builds request tensors for tests over plain direct buffers. */
public final class Tensors {
    private Tensors() {
    }

    public static Tensor fp32(String name, long[] shape, float... values) {
        ByteBuffer data = direct(values.length * 4);
        for (float value : values) {
            data.putFloat(value);
        }
        return Tensor.of(name, DataType.FP32, shape, data.flip());
    }

    public static Tensor fp64(String name, long[] shape, double... values) {
        ByteBuffer data = direct(values.length * 8);
        for (double value : values) {
            data.putDouble(value);
        }
        return Tensor.of(name, DataType.FP64, shape, data.flip());
    }

    public static Tensor int32(String name, long[] shape, int... values) {
        ByteBuffer data = direct(values.length * 4);
        for (int value : values) {
            data.putInt(value);
        }
        return Tensor.of(name, DataType.INT32, shape, data.flip());
    }

    public static float[] floats(Tensor tensor) {
        ByteBuffer data = tensor.data();
        float[] values = new float[data.remaining() / 4];
        data.asFloatBuffer().get(values);
        return values;
    }

    public static double[] doubles(Tensor tensor) {
        ByteBuffer data = tensor.data();
        double[] values = new double[data.remaining() / 8];
        data.asDoubleBuffer().get(values);
        return values;
    }

    public static int[] ints(Tensor tensor) {
        ByteBuffer data = tensor.data();
        int[] values = new int[data.remaining() / 4];
        data.asIntBuffer().get(values);
        return values;
    }

    public static long[] longs(Tensor tensor) {
        ByteBuffer data = tensor.data();
        long[] values = new long[data.remaining() / 8];
        data.asLongBuffer().get(values);
        return values;
    }

    public static byte[] bytes(Tensor tensor) {
        ByteBuffer data = tensor.data();
        byte[] values = new byte[data.remaining()];
        data.get(values);
        return values;
    }

    private static ByteBuffer direct(int size) {
        return ByteBuffer.allocateDirect(size).order(ByteOrder.nativeOrder());
    }
}
