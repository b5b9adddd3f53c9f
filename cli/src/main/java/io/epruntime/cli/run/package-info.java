/**
 * {@code ep run}: the seeded workload, verification against the CPU reference, statistics and
 * their rendering.
 *
 * <pre>
 *   SeededWorkload.step(i) ──► StepInput ──► EpClient.submit ──► StepResult
 *                                  │                                 │
 *                                  └──► ReferenceEngine.runStep ──► OutputComparator ──► RunStats
 *                                                                                         │
 *                          ProgressReporter (timer, stderr) ◄── RunSnapshot ──► SummaryTable, JsonLine
 * </pre>
 */
package io.epruntime.cli.run;
