package dev.lanes.runtime.model;

import dev.lanes.runtime.InferenceException;
import dev.lanes.runtime.tensor.DataType;
import dev.lanes.runtime.tensor.Tensor;
import dev.lanes.runtime.testing.Tensors;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** A request's inputs against the signature: one input at a time, then the request as a whole. */
class ModelSignatureTest {
    private static final ModelSignature BATCHING = new ModelSignature(List.of(
            new TensorSpec("a", DataType.FP32, new long[]{2}),
            new TensorSpec("b", DataType.FP32, new long[]{-1})),
            List.of(new TensorSpec("y", DataType.FP32, new long[]{2})), 8);

    @Test
    void order_inputsInAnyOrder_comeBackInSignatureOrderWithTheirRows() {
        Tensor b = Tensors.fp32("b", new long[]{3, 1}, 1, 2, 3);
        Tensor a = Tensors.fp32("a", new long[]{3, 2}, 1, 2, 3, 4, 5, 6);
        CheckedInputs checked = BATCHING.order(List.of(b, a));
        assertEquals(List.of(a, b), checked.tensors());
        assertEquals(3, checked.rows());
        checked.close();
    }

    @Test
    void order_inputGivenTwice_isRefusedByName() {
        Tensor a = Tensors.fp32("a", new long[]{1, 2}, 1, 2);
        InferenceException error = assertThrows(InferenceException.class, () -> BATCHING.order(List.of(a, a)));
        assertEquals("input 'a' is given more than once", error.getMessage());
        a.close();
    }

    @Test
    void order_inputMissing_namesIt() {
        Tensor a = Tensors.fp32("a", new long[]{1, 2}, 1, 2);
        InferenceException error = assertThrows(InferenceException.class, () -> BATCHING.order(List.of(a)));
        assertEquals("expected 2 inputs but got 1 inputs; missing input 'b'", error.getMessage());
        a.close();
    }

    @Test
    void order_batchSizesDisagree_isRefused() {
        Tensor a = Tensors.fp32("a", new long[]{1, 2}, 1, 2);
        Tensor b = Tensors.fp32("b", new long[]{2, 1}, 1, 2);
        InferenceException error = assertThrows(InferenceException.class, () -> BATCHING.order(List.of(a, b)));
        assertEquals("input 'b' has batch size 2 but input 'a' has 1", error.getMessage());
        a.close();
        b.close();
    }

    @Test
    void order_unknownInput_isRefusedWithTheExpectedNames() {
        Tensor c = Tensors.fp32("c", new long[]{1, 2}, 1, 2);
        InferenceException error = assertThrows(InferenceException.class, () -> BATCHING.order(List.of(c)));
        assertEquals("unexpected inference input 'c' for model; expected [a, b]", error.getMessage());
        c.close();
    }

    @Test
    void check_uncheckedInputOfTheWrongShape_isRefusedBeforeOrdering() {
        Tensor a = Tensors.fp32("a", new long[]{1, 3}, 1, 2, 3);
        Tensor b = Tensors.fp32("b", new long[]{1, 1}, 1);
        InferenceException error = assertThrows(InferenceException.class, () -> BATCHING.check(List.of(a, b)));
        assertEquals("input 'a' has shape [1, 3], the model expects [-1, 2]", error.getMessage());
        a.close();
        b.close();
    }
}
