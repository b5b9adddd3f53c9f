package io.epruntime.protocol.cluster;

/**
 * What ranks report about a step to the ref named in {@link RunStep#aggregator()}: the coordinator
 * itself, which keeps every in-flight step's state, so these are coordinator messages too.
 */
public interface ToAggregator extends ToCoordinator {}
