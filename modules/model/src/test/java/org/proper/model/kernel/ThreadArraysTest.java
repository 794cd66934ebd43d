package org.proper.model.kernel;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class ThreadArraysTest {
    @Test
    void anArrayThatFitsReusesTheBufferAndALargerOneGrowsIt() {
        ThreadArrays.release();
        INDArray a = ThreadArrays.get("t", DataType.FLOAT, 4, 3);
        a.assign(7);
        INDArray b = ThreadArrays.get("t", DataType.FLOAT, 2, 3);
        assertArrayEquals(new long[]{2, 3}, b.shape());
        assertEquals(a.data().address(), b.data().address(), "fits: the same native buffer");
        assertEquals(7f, b.getFloat(1, 2), "the last call's values (the caller writes what it reads)");
        INDArray other = ThreadArrays.get("t", DataType.FLOAT, 2, 4);
        assertNotEquals(a.data().address(), other.data().address(), "another column count: another buffer");
        INDArray c = ThreadArrays.get("t", DataType.FLOAT, 10, 3);
        assertArrayEquals(new long[]{10, 3}, c.shape());
        assertEquals('c', c.ordering());
        c.assign(1);
        assertEquals(30.0, c.sumNumber().doubleValue(), 0.0);
        ThreadArrays.release();
        assertTrue(c.data().wasClosed(), "released");
    }
}
