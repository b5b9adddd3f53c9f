/**
 * The {@code ep} command line: {@link io.epruntime.cli.EpCli} and its exit codes.
 *
 * <pre>
 *   ./ep run ──► RunCommand ──► LocalCluster (N x "java ... EpCli node", logs in target/ep-run/)
 *                   │                 ▲ Process.onExit: a dead rank fails the run (exit 3)
 *                   ├─► EpClient.connect ──► world Ready (else exit 3, ranks missing)
 *                   ├─► RunDriver: window of steps ──► submit ──► verify vs ReferenceEngine
 *                   └─► ProgressReporter (stderr) ──► SummaryTable / JsonLine (stdout)
 * </pre>
 *
 * Subpackages: {@code run} (workload, verification, statistics, rendering), {@code cluster}
 * (ports, backend choice, rank processes), {@code background} ({@code ep cluster up|status|down}),
 * {@code node}, {@code status}, {@code bench}.
 */
package io.epruntime.cli;
