package org.proper.eval.report;

import java.util.Comparator;
import java.util.List;

/** The method names of the comparison (DESIGN §2 baselines and ablations), in the order tables list them. */
public final class Methods {
    public static final String BASE = "base";
    public static final String POPULATION = "population";
    public static final String USER_MAJORITY = "user-majority";
    public static final String OPPU = "OPPU";
    public static final String GROUP_ONLY = "group-only";
    public static final String PROPER = "PROPER";
    public static final String PROPER_HARD_CLUSTERS = "PROPER-hard-clusters";
    public static final String PROPER_FIXED_BETA = "PROPER-fixed-beta";
    public static final String PROPER_NO_DIVERSITY = "PROPER-no-diversity";

    public static final List<String> ALL = List.of(BASE, POPULATION, USER_MAJORITY, OPPU, GROUP_ONLY, PROPER,
            PROPER_HARD_CLUSTERS, PROPER_FIXED_BETA, PROPER_NO_DIVERSITY);

    /** Known methods in {@link #ALL}'s order, then any other method by name. */
    public static final Comparator<String> TABLE_ORDER = Comparator
            .comparingInt((String m) -> ALL.contains(m) ? ALL.indexOf(m) : ALL.size())
            .thenComparing(Comparator.naturalOrder());

    private Methods() {
    }
}
