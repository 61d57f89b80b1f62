package dev.lanes.runtime.tensor;

import dev.lanes.runtime.InferenceException;

import java.util.Arrays;

/** Arithmetic on tensor shapes that must never overflow silently. */
public final class Shapes {
    private Shapes() {
    }

    /**
     * Element count of a concrete shape; refuses negative dims and counts above {@code limit}
     * before anything is allocated for them.
     */
    public static long elementCount(String tensor, long[] shape, long limit) {
        long count = 1;
        for (long dim : shape) {
            if (dim < 0) {
                throw InferenceException.invalidInput("input '%s' has invalid shape %s: dimensions must be >= 0",
                        tensor, Arrays.toString(shape));
            }
            if (dim != 0 && count > limit / dim) {
                throw InferenceException.tooLarge("input '%s' with shape %s has more than %d elements, the limit",
                        tensor, Arrays.toString(shape), limit);
            }
            count *= dim;
        }
        if (count > limit) {
            throw InferenceException.tooLarge("input '%s' with shape %s has more than %d elements, the limit",
                    tensor, Arrays.toString(shape), limit);
        }
        return count;
    }

    /** Element count of a shape already known to be valid. */
    public static long elementCount(long[] shape) {
        long count = 1;
        for (long dim : shape) {
            count *= dim;
        }
        return count;
    }

    public static long[] withFirstDim(long first, long[] shape) {
        long[] result = shape.clone();
        result[0] = first;
        return result;
    }

    public static long[] prepend(long first, long[] dims) {
        long[] result = new long[dims.length + 1];
        result[0] = first;
        System.arraycopy(dims, 0, result, 1, dims.length);
        return result;
    }
}
