package org.proper.data.synth;

/**
 * What the generator wrote.
 *
 * @param users        users generated (= dev questions = test questions)
 * @param profileItems sum of history lengths (= train rows after ingest)
 * @param task         the task name of the outputs (a predefined mapping)
 * @param outDir       the LaMP directory written
 */
public record SyntheticResult(long users, long profileItems, String task, String outDir) {}
