package org.proper.pipeline.embed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.apache.spark.ml.linalg.DenseMatrix;
import org.junit.jupiter.api.Test;

/** Principal components get a canonical sign (largest-magnitude entry positive), so v and −v give one embedding. */
class PcaSignTest {
    @Test
    void eachComponentsSignMakesItsLargestEntryPositive() {
        // 3 features x 2 components, column-major: c0 = (0.2, -0.9, 0.1), c1 = (0.6, 0.3, -0.5)
        double[] pc = {0.2, -0.9, 0.1, 0.6, 0.3, -0.5};
        assertArrayEquals(new double[] {-1, 1}, CanonicalPca.signs(new DenseMatrix(3, 2, pc)), 0.0);
        // the mirrored components: their projections times these signs are the same embedding
        double[] mirrored = {-0.2, 0.9, -0.1, -0.6, -0.3, 0.5};
        assertArrayEquals(new double[] {1, -1}, CanonicalPca.signs(new DenseMatrix(3, 2, mirrored)), 0.0);
    }
}
