package org.proper.pipeline.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.proper.model.lm.ModelConfig;
import org.proper.model.lm.TargetModule;
import org.proper.model.method.GroupExperts;
import org.proper.model.method.LoraAdapter;
import org.proper.model.method.LoraSpec;

class ParamVectorTest {
    private static final ModelConfig CONFIG = ModelConfig.tiny();
    private static final LoraSpec SPEC = LoraSpec.ffn(2, 4);

    @Test
    void weightedSumDividedByTotalWeightIsTheWeightedMean() {
        LoraAdapter a = LoraAdapter.init(SPEC, CONFIG, 1);
        LoraAdapter b = LoraAdapter.init(SPEC, CONFIG, 2);
        ParamVector sum = ParamVector.zero().plus(ParamVector.of(a, 1)).plus(ParamVector.of(b, 3));
        LoraAdapter mean = sum.mean().toLora(a);
        for (TargetModule m : a.modules()) {
            float[] x = a.a(m.name()).data(), y = b.a(m.name()).data(), z = mean.a(m.name()).data();
            for (int i = 0; i < z.length; i++) assertEquals((x[i] + 3 * y[i]) / 4.0, z[i], 1e-6);
        }
    }

    @Test
    void averagingEqualAdaptersGivesTheSameAdapter() {
        LoraAdapter a = LoraAdapter.init(SPEC, CONFIG, 5);
        LoraAdapter back = ParamVector.zero().plus(ParamVector.of(a, 7)).plus(ParamVector.of(a, 2)).mean().toLora(a);
        for (TargetModule m : a.modules()) assertEquals(0.0, a.a(m.name()).maxAbsDiff(back.a(m.name())), 1e-6);
    }

    @Test
    void groupExpertsRoundTripThroughTheVector() {
        GroupExperts g = GroupExperts.init(SPEC, CONFIG, new float[][]{{1, 0}, {0, 1}, {0.5f, 0.5f}}, 1.0, 3);
        GroupExperts back = ParamVector.of(g, 1).mean().toGroup(g);
        assertEquals(0.0, g.centroids().maxAbsDiff(back.centroids()), 1e-7);
        for (int k = 0; k < g.k(); k++) {
            for (TargetModule m : g.modules()) {
                assertEquals(0.0, g.experts().get(k).a(m.name()).maxAbsDiff(back.experts().get(k).a(m.name())), 1e-7);
            }
        }
    }

    @Test
    void theSumDoesNotDependOnTheOrderOfCombination() {
        LoraAdapter a = LoraAdapter.init(SPEC, CONFIG, 1), b = LoraAdapter.init(SPEC, CONFIG, 2), c = LoraAdapter.init(SPEC, CONFIG, 3);
        LoraAdapter abc = ParamVector.zero().plus(ParamVector.of(a, 3)).plus(ParamVector.of(b, 5)).plus(ParamVector.of(c, 7)).mean().toLora(a);
        LoraAdapter cab = ParamVector.zero().plus(ParamVector.of(c, 7)).plus(ParamVector.zero().plus(ParamVector.of(a, 3))
                .plus(ParamVector.of(b, 5))).mean().toLora(a);
        for (TargetModule m : a.modules()) {
            assertEquals(0.0, abc.a(m.name()).maxAbsDiff(cab.a(m.name())), 0.0);
            assertEquals(0.0, abc.b(m.name()).maxAbsDiff(cab.b(m.name())), 0.0);
        }
    }

    @Test
    void averagingWithoutAnyContributionFails() {
        assertThrows(IllegalStateException.class, () -> ParamVector.zero().mean());
    }

    @Test
    void mismatchedParameterNamesFail() {
        LoraAdapter a = LoraAdapter.init(SPEC, CONFIG, 1);
        GroupExperts g = GroupExperts.init(SPEC, CONFIG, new float[][]{{1, 0}, {0, 1}}, 1.0, 3);
        assertThrows(IllegalArgumentException.class, () -> ParamVector.of(a, 1).plus(ParamVector.of(g, 1)));
    }
}
