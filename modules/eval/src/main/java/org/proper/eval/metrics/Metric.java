package org.proper.eval.metrics;

import java.util.List;

/**
 * A task metric. {@link #id()} is the value written to the {@code metric} column of the run's {@code metrics} table;
 * {@link #label()} is for people (tables, plots).
 */
public enum Metric {
    ACCURACY("accuracy", "accuracy", true),
    MACRO_F1("macro_f1", "macro-F1", true),
    MAE("mae", "MAE", false),
    RMSE("rmse", "RMSE", false),
    ROUGE_1("rouge1", "ROUGE-1", true),
    ROUGE_L("rougeL", "ROUGE-L", true);

    private final String id;
    private final String label;
    private final boolean higherIsBetter;

    Metric(String id, String label, boolean higherIsBetter) {
        this.id = id;
        this.label = label;
        this.higherIsBetter = higherIsBetter;
    }

    public String id() {
        return id;
    }

    public String label() {
        return label;
    }

    public boolean higherIsBetter() {
        return higherIsBetter;
    }

    /** The metrics of a task kind, its main metric first (accuracy, MAE or ROUGE-1). */
    public static List<Metric> of(TaskKind kind) {
        return switch (kind) {
            case CLASSIFICATION -> List.of(ACCURACY, MACRO_F1);
            case RATING -> List.of(MAE, RMSE);
            case GENERATION -> List.of(ROUGE_1, ROUGE_L);
        };
    }

    public static Metric main(TaskKind kind) {
        return of(kind).get(0);
    }
}
