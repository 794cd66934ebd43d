package org.proper.data.ingest;

import java.util.Map;
import java.util.TreeMap;

import org.proper.data.task.TaskMapping;

/**
 * What ingest did. Every candidate (query, profile item, log row, unreadable record, gold that attached to no question)
 * ends in exactly one place: {@code candidates == accepted + quarantined() + merged + afterCutoff}.
 *
 * @param candidates   candidate interactions read
 * @param accepted     rows written to interactions
 * @param rowsBySplit  accepted rows per split (train, dev, test)
 * @param quarantinedByReason rows written to quarantine, per reason
 * @param merged       LaMP profile items that repeat one already kept for the same user (dev profile ⊂ test profile),
 *                     or that are the user's own dev/test query: kept once, not quarantined
 * @param afterCutoff  valid interactions left out because their timestamp is at or after the cutoff (a later run's)
 * @param users        distinct users in interactions
 * @param items        distinct item ids in interactions
 * @param mapping      the task mapping used
 */
public record IngestResult(long candidates, long accepted, Map<String, Long> rowsBySplit,
                           Map<String, Long> quarantinedByReason, long merged, long afterCutoff, long users, long items,
                           TaskMapping mapping) {

    public IngestResult {
        rowsBySplit = Map.copyOf(rowsBySplit);
        quarantinedByReason = Map.copyOf(quarantinedByReason);
    }

    public long quarantined() {
        return quarantinedByReason.values().stream().mapToLong(Long::longValue).sum();
    }

    public long rows(String split) {
        return rowsBySplit.getOrDefault(split, 0L);
    }

    public long quarantined(String reason) {
        return quarantinedByReason.getOrDefault(reason, 0L);
    }

    public String summary() {
        return "ingest " + mapping.task() + ": candidates=" + candidates + " accepted=" + accepted + " "
                + new TreeMap<>(rowsBySplit)  + " merged=" + merged + " after_cutoff=" + afterCutoff + " quarantined=" + quarantined() + " "
                + new TreeMap<>(quarantinedByReason) + " users=" + users + " items=" + items;
    }
}
