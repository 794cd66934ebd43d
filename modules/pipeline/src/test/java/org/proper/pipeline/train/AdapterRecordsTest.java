package org.proper.pipeline.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.proper.model.lm.ModelConfig;
import org.proper.model.lm.TargetModule;
import org.proper.model.method.GroupExperts;
import org.proper.model.method.LoraAdapter;
import org.proper.model.method.LoraSpec;
import org.proper.model.method.UserAdapter;
import org.proper.pipeline.io.TensorRecord;

class AdapterRecordsTest {
    private static final ModelConfig CONFIG = ModelConfig.tiny();
    private static final LoraSpec SPEC = LoraSpec.ffn(2, 4);

    @Test
    void populationLoraRoundTripsExactly() {
        LoraAdapter a = LoraAdapter.init(SPEC, CONFIG, 9);
        List<TensorRecord> recs = AdapterRecords.ofPopulation(a);
        assertEquals(2 * a.modules().size(), recs.size());
        assertTrue(recs.stream().allMatch(r -> r.level().equals("population") && r.ownerId().equals("population")));
        LoraAdapter back = AdapterRecords.toLora(recs, SPEC, CONFIG);
        for (TargetModule m : a.modules()) {
            assertEquals(0.0, a.a(m.name()).maxAbsDiff(back.a(m.name())), 0);
            assertEquals(0.0, a.b(m.name()).maxAbsDiff(back.b(m.name())), 0);
        }
    }

    @Test
    void groupExpertsAndRouterRoundTrip() {
        GroupExperts g = GroupExperts.init(SPEC, CONFIG, new float[][]{{1, 0}, {0, 1}}, 0.5, 4);
        List<TensorRecord> recs = AdapterRecords.ofGroups(g);
        GroupExperts back = AdapterRecords.toGroups(recs, SPEC, CONFIG, 0.5);
        assertEquals(2, back.k());
        assertEquals(0.0, g.centroids().maxAbsDiff(back.centroids()), 0);
        assertEquals(g.routerV().keySet(), back.routerV().keySet());
    }

    @Test
    void userAdapterWithRouterRoundTrips() {
        UserAdapter u = UserAdapter.init("u1", SPEC, CONFIG, 3, 11);
        UserAdapter back = AdapterRecords.toUser("u1", AdapterRecords.ofUser(u), SPEC, CONFIG);
        assertEquals(u.routerR().keySet(), back.routerR().keySet());
        for (TargetModule m : u.lora().modules()) assertEquals(0.0, u.lora().a(m.name()).maxAbsDiff(back.lora().a(m.name())), 0);
    }

    @Test
    void missingFactorsFailNamingTheModule() {
        LoraAdapter a = LoraAdapter.init(SPEC, CONFIG, 9);
        List<TensorRecord> recs = AdapterRecords.ofPopulation(a).subList(1, 2 * a.modules().size());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AdapterRecords.toLora(recs, SPEC, CONFIG));
        assertTrue(e.getMessage().contains(a.modules().get(0).name()), e.getMessage());
    }
}
