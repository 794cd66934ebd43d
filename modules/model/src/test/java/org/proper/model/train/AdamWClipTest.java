package org.proper.model.train;

import static org.junit.jupiter.api.Assertions.*;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class AdamWClipTest {
    /** Users' rows of two stacked [U=3,…] gradients and one shared gradient, with user norms 5, 0.5 and 13 over both. */
    private static Map<String, INDArray> grads(char order) {
        Map<String, INDArray> g = new LinkedHashMap<>();
        float[][] a = {{3, 0, 0, 0}, {0.3f, 0, 0, 0}, {5, 0, 0, 0}}, b = {{4, 0}, {0, 0.4f}, {0, 12}};
        g.put("users.A", Nd4j.create(a).reshape(3, 2, 2).dup(order));
        g.put("users.B", Nd4j.create(b).dup(order));
        g.put("shared", Nd4j.createFromArray(6f, 8f));                                   // norm 10
        return g;
    }

    @Test
    void eachUserIsClippedByItsOwnNormAndSharedParametersByTheirGlobalNorm() {
        for (char order : new char[]{'c', 'f'}) {
            Map<String, INDArray> g = grads(order);
            AdamW.clip(g, Set.of("users.A", "users.B"), 1.0);
            INDArray a = g.get("users.A").reshape('c', 3, 4), b = g.get("users.B");
            assertArrayEquals(new float[]{3 / 5f, 0, 0, 0}, a.getRow(0).toFloatVector(), 1e-6f, "user 0 scaled by 1/5, order " + order);
            assertArrayEquals(new float[]{4 / 5f, 0}, b.getRow(0).toFloatVector(), 1e-6f);
            assertArrayEquals(new float[]{0.3f, 0, 0, 0}, a.getRow(1).toFloatVector(), 1e-6f, "user 1 is under the norm: unchanged");
            assertArrayEquals(new float[]{0, 0.4f}, b.getRow(1).toFloatVector(), 1e-6f);
            assertArrayEquals(new float[]{5 / 13f, 0, 0, 0}, a.getRow(2).toFloatVector(), 1e-6f);
            assertArrayEquals(new float[]{0, 12 / 13f}, b.getRow(2).toFloatVector(), 1e-6f);
            assertArrayEquals(new float[]{0.6f, 0.8f}, g.get("shared").toFloatVector(), 1e-6f);
        }
    }

    @Test
    void nothingChangesWhenEveryNormIsUnderTheLimitOrClippingIsOff() {
        Map<String, INDArray> g = grads('c');
        AdamW.clip(g, Set.of("users.A", "users.B"), 20.0);
        assertEquals(grads('c'), g);
        AdamW.clip(g, Set.of("users.A", "users.B"), 0.0);
        assertEquals(grads('c'), g);
        assertEquals(DataType.FLOAT, g.get("users.A").dataType());
    }
}
