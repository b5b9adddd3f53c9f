/**
 * {@code ep cluster up | status | down}: a local cluster that outlives the command that started it.
 *
 * <pre>
 *  ep cluster up ──starts──▶ rank 0 … rank N-1 (own session, stdin /dev/null, log per rank)
 *        │                        ▲
 *        └─writes──▶ DIR/cluster.properties (pids, start times, gateways) ◀──reads── ep cluster status | down
 * </pre>
 *
 * The state file is the only link between the commands; {@code down} stops exactly the processes
 * it names (a pid whose start time differs belongs to someone else and is left alone).
 */
package io.epruntime.cli.background;
