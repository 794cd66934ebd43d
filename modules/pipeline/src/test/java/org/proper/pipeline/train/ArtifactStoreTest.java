package org.proper.pipeline.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.Set;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.proper.model.lm.BaseModel;
import org.proper.model.lm.LoraTarget;
import org.proper.model.lm.ModelConfig;
import org.proper.model.lm.Tensor;
import org.proper.model.method.GroupExperts;
import org.proper.model.method.LoraAdapter;
import org.proper.model.method.LoraSpec;
import org.proper.pipeline.run.RunLayout;

/**
 * A run's model artifacts written before the model core's classes moved into packages by concept (then
 * {@code org.proper.model.BaseModel}, {@code org.proper.model.LoraAdapter}, …) still read: serving reads
 * {@code base.bin} of runs published earlier, and a night's incremental run reads its parent's. The files under
 * {@code legacy-model-artifacts/} were written by that code: a GPT-2 base (d = 8, one layer, seed 7), a population
 * LoRA and two group experts.
 */
class ArtifactStoreTest {
    private static final Configuration CONF = new Configuration();

    @TempDir
    Path dir;

    @Test
    void modelArtifactsWrittenBeforeThePackageSplitRead() throws Exception {
        ArtifactStore store = new ArtifactStore(RunLayout.of(dir.toString(), "legacy"), CONF);
        for (String name : new String[]{"base", "population", "experts"}) copy("legacy-model-artifacts/" + name + ".bin", store, name);

        BaseModel base = store.get("base", BaseModel.class);
        assertEquals(ModelConfig.gpt2(8, 1, 2, 16, 8), base.config());
        assertEquals("0ebbddb74478d7d01988d48a9a8f51a76ceada78a8af289c28521bc02072cc9b", base.fingerprint(), "every weight as written");

        LoraAdapter population = store.get("population", LoraAdapter.class);
        assertEquals(LoraSpec.ffn(2, 4), population.spec());
        assertEquals(Set.of(LoraTarget.FFN), population.spec().targets());
        assertEquals("8466009aadfa32387de4af3180105bf232d0edf87f870ed30a50ab0376c5839d", population.mergeInto(base).fingerprint(),
                "the population-merged base, as the code that wrote the files merged it");

        GroupExperts experts = store.get("experts", GroupExperts.class);
        assertEquals(2, experts.k());
        assertEquals(0.5, experts.tau());
        assertEquals(0.0, experts.centroids().maxAbsDiff(new Tensor(new long[]{2, 2}, new float[]{1, 0, 0, 1})));
        assertEquals("ce78ac2b9a66ffc38bd9bf67300254022ee56f9b976884f71fd785bcf4cd0d01", experts.experts().get(1).mergeInto(base).fingerprint());
        double v = 0;
        for (Tensor t : experts.routerV().values()) for (float f : t.data()) v += f;
        assertEquals(1.5903295958414674, v, 1e-12, "the router's v as written");
    }

    @Test
    void artifactsWrittenNowReadBack() {
        ArtifactStore store = new ArtifactStore(RunLayout.of(dir.toString(), "now"), CONF);
        BaseModel base = BaseModel.init(ModelConfig.gpt2(8, 1, 2, 16, 8), 3);
        store.put("base", base);
        assertEquals(base.fingerprint(), store.get("base", BaseModel.class).fingerprint());
    }

    @Test
    void onlyFormerModelClassNamesAreMapped() {
        assertEquals(BaseModel.class, ArtifactStore.ArtifactInputStream.moved("org.proper.model.BaseModel"));
        assertEquals(LoraTarget.class, ArtifactStore.ArtifactInputStream.moved("org.proper.model.LoraTarget"));
        assertNull(ArtifactStore.ArtifactInputStream.moved("org.proper.model.NoSuchClass"));
        assertNull(ArtifactStore.ArtifactInputStream.moved("org.proper.model.io.BaseModel"));
        assertNull(ArtifactStore.ArtifactInputStream.moved("org.proper.data.BaseModel"));
    }

    private static void copy(String resource, ArtifactStore store, String name) throws Exception {
        org.apache.hadoop.fs.Path target = store.path(name);
        FileSystem fs = target.getFileSystem(CONF);
        try (InputStream in = ArtifactStoreTest.class.getClassLoader().getResourceAsStream(resource);
             OutputStream out = fs.create(target, true)) {
            in.transferTo(out);
        }
    }
}
