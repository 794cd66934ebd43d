package org.proper.pipeline.train;

import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.io.ByteArrayOutputStream;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.proper.pipeline.run.AtomicFiles;
import org.proper.pipeline.run.RunLayout;

/**
 * Hands trained objects from one stage to the next (base model, centroids, population adapter, group experts) as
 * Java-serialized files under {@code <run>/model/}, on local disk or HDFS, written atomically. The published contract
 * for serving is the adapters table; these files are the stages' working state, of which serving also reads the base
 * model ({@code base.bin}, to merge the published population adapter into) and the task mapping (docs/PRODUCTION.md §7).
 * Files written before the model core's classes moved into packages by concept still read (see {@link ArtifactInputStream}).
 */
public final class ArtifactStore {
    /** The run's base model ({@code BaseModel}): written by the embed stage (hidden-state) or the population stage. */
    public static final String BASE = "base";

    private final RunLayout layout;
    private final Configuration conf;

    public ArtifactStore(RunLayout layout, Configuration conf) {
        this.layout = layout;
        this.conf = conf;
    }

    public Path path(String name) {
        return new Path(layout.root(), "model/" + name + ".bin");
    }

    public void put(String name, Serializable value) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(value);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot serialise " + name, e);
        }
        AtomicFiles.writeFile(path(name), bytes.toByteArray(), conf);
    }

    public boolean has(String name) {
        return AtomicFiles.exists(path(name), conf);
    }

    public <T> T get(String name, Class<T> type) {
        Path p = path(name);
        try {
            FileSystem fs = p.getFileSystem(conf);
            if (!fs.exists(p)) {
                throw new IllegalStateException("Cannot load " + name + ": " + p + " does not exist (run the stage that writes it first)");
            }
            try (InputStream in = fs.open(p); ObjectInputStream oin = new ArtifactInputStream(in)) {
                return type.cast(oin.readObject());
            }
        } catch (IOException | ClassNotFoundException e) {
            throw new IllegalStateException("Cannot load " + name + " from " + p + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads what {@link #put} wrote, including files written before the model core's classes moved from
     * {@code org.proper.model} into its packages by concept ({@code lm}, {@code method}, {@code train}, …): a class
     * named {@code org.proper.model.X} (or {@code org.proper.model.X$Y}) that no longer exists resolves to the class
     * of the same simple name in those packages. Its fields and serialVersionUID are as before, so Java serialization
     * reads it as it wrote it (a class of another package but of the same simple name is accepted for a stream class).
     */
    static final class ArtifactInputStream extends ObjectInputStream {
        private static final String OLD_PACKAGE = "org.proper.model.";
        private static final String[] PACKAGES = {"lm", "method", "graph", "train", "infer", "io", "kernel", "gradient", "bench"};

        ArtifactInputStream(InputStream in) throws IOException {
            super(in);
        }

        @Override
        protected Class<?> resolveClass(ObjectStreamClass desc) throws IOException, ClassNotFoundException {
            try {
                return super.resolveClass(desc);
            } catch (ClassNotFoundException e) {
                Class<?> moved = moved(desc.getName());
                if (moved == null) throw e;
                return moved;
            }
        }

        /** The class a pre-split name {@code org.proper.model.X[$Y]} now has, or null. */
        static Class<?> moved(String name) {
            if (!name.startsWith(OLD_PACKAGE) || name.indexOf('.', OLD_PACKAGE.length()) >= 0) return null;
            String simple = name.substring(OLD_PACKAGE.length());
            ClassLoader loader = ArtifactStore.class.getClassLoader();
            for (String p : PACKAGES) {
                try {
                    return Class.forName(OLD_PACKAGE + p + "." + simple, false, loader);
                } catch (ClassNotFoundException ignored) {
                    // not in this package
                }
            }
            return null;
        }
    }
}
