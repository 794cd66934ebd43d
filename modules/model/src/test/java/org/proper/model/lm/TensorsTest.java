package org.proper.model.lm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class TensorsTest {
    private static Tensor slot(float first) {
        float[] d = new float[6];
        for (int i = 0; i < d.length; i++) d[i] = first + i;
        return new Tensor(new long[]{2, 3}, d);
    }

    @ParameterizedTest
    @ValueSource(strings = {"c-FLOAT", "c-DOUBLE", "f-FLOAT"})
    void aSlotWrittenIsReadBackAndTheOtherSlotsAreUntouched(String layout) {
        char order = layout.charAt(0);
        DataType dt = DataType.valueOf(layout.substring(2));
        INDArray stacked = Nd4j.create(dt, new long[]{3, 2, 3}, order).assign(-1);
        Tensors.writeSlot(stacked, 1, slot(10));
        assertArrayEquals(slot(10).data(), Tensors.readSlot(stacked, 1).data());
        assertArrayEquals(new long[]{2, 3}, Tensors.readSlot(stacked, 1).shape());
        assertEquals(11f, stacked.getFloat(1, 0, 1));                     // element (0, 1) of slot 1, by ND4J's indexing
        assertEquals(15f, stacked.getFloat(1, 1, 2));
        for (int u : new int[]{0, 2}) assertTrue(stacked.slice(u).equalsWithEps(Nd4j.create(dt, 2, 3).assign(-1), 0));
    }

    @Test
    void aTensorOfAnotherShapeIsRefusedNamingBothShapes() {
        INDArray stacked = Nd4j.create(DataType.FLOAT, 3, 3, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Tensors.writeSlot(stacked, 0, slot(0)));
        assertTrue(e.getMessage().contains("[2, 3]") && e.getMessage().contains("[3, 3, 2]"), e.getMessage());
    }

    @Test
    void aSlotPastTheStackIsRefusedNamingTheSlotAndTheStack() {
        INDArray stacked = Nd4j.create(DataType.FLOAT, 3, 2, 3);
        IndexOutOfBoundsException w = assertThrows(IndexOutOfBoundsException.class, () -> Tensors.writeSlot(stacked, 3, slot(0)));
        IndexOutOfBoundsException r = assertThrows(IndexOutOfBoundsException.class, () -> Tensors.readSlot(stacked, -1));
        assertTrue(w.getMessage().contains("No slot 3") && w.getMessage().contains("[3, 2, 3]"), w.getMessage());
        assertTrue(r.getMessage().contains("No slot -1"), r.getMessage());
    }
}
