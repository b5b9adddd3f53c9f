/**
 * A cluster of rank processes on this machine: port layout ({@link io.epruntime.cli.cluster.PortPlan}),
 * backend choice ({@link io.epruntime.cli.cluster.BackendChoice}, {@link io.epruntime.cli.cluster.GpuProbe}),
 * one {@code java ... EpCli node} command per rank ({@link io.epruntime.cli.cluster.NodeLaunch}) and the
 * processes themselves ({@link io.epruntime.cli.cluster.LocalCluster}), whose unexpected exit fails the run.
 */
package io.epruntime.cli.cluster;
